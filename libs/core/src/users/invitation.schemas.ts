import { z } from 'zod';
import { ORGANIZATION_ROLES } from '../auth/actor.js';
import { pageQuerySchema } from '../http/pagination.js';
import { passwordSchema } from './user.schemas.js';

export const INVITATION_VIEW_STATUSES = ['pending', 'accepted', 'declined', 'revoked', 'expired'] as const;

export const invitationSchema = z.object({
  id: z.string(),
  /** Null for an account invitation (staff opened the account). */
  organizationId: z.string().nullable(),
  email: z.string(),
  role: z.enum(ORGANIZATION_ROLES).nullable(),
  status: z.enum(INVITATION_VIEW_STATUSES),
  expiresAt: z.iso.datetime(),
  answeredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type InvitationDto = z.infer<typeof invitationSchema>;

/** For staff support only: the link of a pending invitation, to read to the person on the phone. */
export const staffInvitationSchema = invitationSchema.extend({ link: z.string().nullable() });
export type StaffInvitationDto = z.infer<typeof staffInvitationSchema>;

export const invitationTokenSchema = z.strictObject({ token: z.string().min(10).max(200) });

export const invitationPreviewSchema = z.object({
  email: z.string(),
  organization: z.object({ id: z.string(), name: z.string() }).nullable(),
  role: z.enum(ORGANIZATION_ROLES).nullable(),
  expiresAt: z.iso.datetime(),
  /** True when the address already has an account: sign in, then accept. False: choose a password. */
  accountExists: z.boolean(),
});
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

export const acceptInvitationSchema = z.strictObject({
  token: z.string().min(10).max(200),
  password: passwordSchema,
});

export const acceptedInvitationSchema = z.object({ organizationId: z.string().nullable(), role: z.enum(ORGANIZATION_ROLES).nullable() });

export const listStaffInvitationsSchema = pageQuerySchema.extend({
  email: z.string().max(254).optional(),
  status: z.enum(['pending', 'accepted', 'declined', 'revoked']).optional(),
});
