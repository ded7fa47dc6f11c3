import { z } from 'zod';
import { ORGANIZATION_ROLES } from '../auth/actor.js';
import { emailSchema, localeSchema, nameSchema } from '../users/user.schemas.js';

export const organizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  locale: localeSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OrganizationDto = z.infer<typeof organizationSchema>;

export const createOrganizationSchema = z.strictObject({
  name: nameSchema(200),
  locale: localeSchema,
});

export const updateOrganizationSchema = z.strictObject({
  name: nameSchema(200).optional(),
  locale: localeSchema.optional(),
  /** Staff only: the server each service's new resources go to (`null` to release). Handled by hosting. */
  placement: z.record(z.string(), z.uuid().nullable()).optional(),
});

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(ORGANIZATION_ROLES),
  createdAt: z.iso.datetime(),
});
export type MemberDto = z.infer<typeof memberSchema>;

export const inviteMemberSchema = z.strictObject({
  email: emailSchema,
  role: z.enum(ORGANIZATION_ROLES),
  /** The language of the invitation mail (the organisation's by default). */
  locale: localeSchema.optional(),
});

export const updateMemberSchema = z.strictObject({ role: z.enum(ORGANIZATION_ROLES) });
