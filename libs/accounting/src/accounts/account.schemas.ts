import { z } from 'zod';
import { ACCOUNT_TYPES } from './account.entity.js';

export const accountSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  nameFr: z.string(),
  nameEn: z.string(),
  type: z.enum(ACCOUNT_TYPES),
  active: z.boolean(),
});

export const createAccountSchema = z.strictObject({
  code: z.string().regex(/^[0-9]{4,6}$/, 'validation.account_code_invalid'),
  nameFr: z.string().trim().min(1).max(120),
  nameEn: z.string().trim().min(1).max(120),
  type: z.enum(ACCOUNT_TYPES),
});

export const updateAccountSchema = z.strictObject({
  nameFr: z.string().trim().min(1).max(120).optional(),
  nameEn: z.string().trim().min(1).max(120).optional(),
  active: z.boolean().optional(),
});
