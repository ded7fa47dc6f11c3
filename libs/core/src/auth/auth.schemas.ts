import { z } from 'zod';
import { emailSchema, passwordSchema, userSchema } from '../users/user.schemas.js';
import { SCOPES } from './actor.js';

export const loginSchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  otp: z.string().trim().max(10).optional(),
  recoveryCode: z.string().trim().max(40).optional(),
});

export const membershipViewSchema = z.object({ organizationId: z.string(), role: z.enum(['owner', 'member']) });

export const meSchema = z.object({
  user: userSchema,
  memberships: z.array(membershipViewSchema),
  /** For a browser session: the value to send in X-CSRF-Token. Null for bearer tokens. */
  csrfToken: z.string().nullable(),
  twoFactorEnrollmentRequired: z.boolean(),
  /** The permissions held in every organisation (staff roles): what a token not limited to one organisation may carry. */
  scopes: z.array(z.enum(SCOPES)),
});

export const sessionSchema = z.object({ user: userSchema, csrfToken: z.string() });

export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: passwordSchema,
  /** API tokens were made under the old password: revoked unless this is false. */
  revokeApiTokens: z.boolean().default(true),
});

export const passwordResetRequestSchema = z.strictObject({ email: emailSchema });
export const passwordResetRequestedSchema = z.object({ status: z.literal('requested') });

export const passwordResetConfirmSchema = z.strictObject({
  token: z.string().min(10).max(200),
  newPassword: passwordSchema,
  revokeApiTokens: z.boolean().default(true),
});

/** What a password change or reset ended. */
export const credentialsEndedSchema = z.object({ sessionsEnded: z.number(), revokedTokens: z.number() });

export const twoFactorSetupSchema = z.object({ secret: z.string(), otpauthUri: z.string() });
export const twoFactorConfirmSchema = z.strictObject({ code: z.string().trim().min(6).max(6) });
export const twoFactorRecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export const twoFactorDisableSchema = z.strictObject({ password: z.string().min(1).max(1024), code: z.string().trim().min(6).max(6) });
