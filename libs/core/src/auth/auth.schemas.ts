import { z } from 'zod';
import { passwordSchema, userSchema } from '../users/user.schemas.js';

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
});

export const sessionSchema = z.object({ user: userSchema, csrfToken: z.string() });

export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: passwordSchema,
});

export const acceptInvitationSchema = z.strictObject({
  token: z.string().min(10).max(200),
  password: passwordSchema,
});

export const twoFactorSetupSchema = z.object({ secret: z.string(), otpauthUri: z.string() });
export const twoFactorConfirmSchema = z.strictObject({ code: z.string().trim().min(6).max(6) });
export const twoFactorRecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export const twoFactorDisableSchema = z.strictObject({ password: z.string().min(1).max(1024), code: z.string().trim().min(6).max(6) });
