import { z } from 'zod';
import { STAFF_ROLES } from '../auth/actor.js';

export const emailSchema = z.email().max(254).transform((value) => value.toLowerCase());
export const passwordSchema = z.string().min(12, 'validation.weak_password').max(1024);
export const localeSchema = z.enum(['fr', 'en']);
/**
 * A name people type (a display name, an organisation's, a token's): one line, no control
 * character (refused, not stripped), surrounding spaces trimmed.
 */
export function nameSchema(max: number) {
  return z
    .string()
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'validation.invalid_character')
    .trim()
    .min(1)
    .max(max);
}

export const displayNameSchema = nameSchema(200);

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  locale: localeSchema,
  staffRoles: z.array(z.enum(STAFF_ROLES)),
  twoFactorEnabled: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type UserDto = z.infer<typeof userSchema>;

export const createUserSchema = z.strictObject({
  email: emailSchema,
  displayName: displayNameSchema.optional(),
  locale: localeSchema.optional(),
  staffRoles: z.array(z.enum(STAFF_ROLES)).max(STAFF_ROLES.length).default([]),
});

export const updateUserSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  locale: localeSchema.optional(),
  staffRoles: z.array(z.enum(STAFF_ROLES)).max(STAFF_ROLES.length).optional(),
  disabled: z.boolean().optional(),
});

export const updateProfileSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  locale: localeSchema.optional(),
});

export const listUsersSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  staffRole: z.enum(STAFF_ROLES).optional(),
});
