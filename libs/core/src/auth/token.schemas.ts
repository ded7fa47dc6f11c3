import { z } from 'zod';
import { SCOPES } from './actor.js';
import { nameSchema } from '../users/user.schemas.js';

export const createTokenSchema = z.strictObject({
  name: nameSchema(100),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
  organizationId: z.uuid().optional(),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) > Date.now(), 'validation.in_past')
    .optional(),
});

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  organizationId: z.string().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TokenDto = z.infer<typeof tokenSchema>;

export const createdTokenSchema = tokenSchema.extend({ token: z.string() });
