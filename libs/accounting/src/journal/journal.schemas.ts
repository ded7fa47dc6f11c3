import { z } from 'zod';

const day = z.iso.date();
/** A decimal amount of dollars with at most two places, as accountants type it: "247.20". */
export const amountSchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'validation.line_amount')
  .transform((value) => {
    const [whole, fraction = ''] = value.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  });

export const manualEntrySchema = z.strictObject({
  date: day,
  description: z.string().trim().min(1).max(500),
  lines: z
    .array(
      z
        .strictObject({
          account: z.string().regex(/^[0-9]{4,6}$/, 'validation.account_code_invalid'),
          debit: amountSchema.optional(),
          credit: amountSchema.optional(),
          partyId: z.uuid().optional(),
          memo: z.string().trim().max(200).optional(),
        })
        .refine((line) => ((line.debit ?? 0) > 0) !== ((line.credit ?? 0) > 0), { message: 'validation.line_amount' }),
    )
    .min(2)
    .max(200),
  /** Into a closed month: `refuse` (409 period_closed) or `next_open` (dated on the first day of the next open month). */
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

export const reversalSchema = z.strictObject({
  date: day,
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

export const journalQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  from: day.optional(),
  to: day.optional(),
  format: z.enum(['json', 'ledger']).default('json'),
  locale: z.enum(['fr', 'en']).optional(),
});

export const entrySchema = z.object({
  id: z.string(),
  number: z.number(),
  date: z.string(),
  description: z.string(),
  sourceType: z.string(),
  sourceId: z.string(),
  reversesId: z.string().nullable(),
  lines: z.array(z.object({ account: z.string(), debit: z.string(), credit: z.string(), partyId: z.string().nullable(), memo: z.string().nullable() })),
});
