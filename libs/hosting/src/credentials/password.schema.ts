import { z } from 'zod';

/** Passwords clients give for mailboxes and database users. */
export const passwordField = z
  .string()
  .min(12, 'validation.weak_password')
  .max(256)
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'validation.password_invalid_char');
