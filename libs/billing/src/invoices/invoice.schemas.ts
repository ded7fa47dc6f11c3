import { z } from 'zod';
import { INVOICE_STATUSES } from './invoice.entity.js';
import { TAX_CODES } from '../taxes/taxes.js';

const day = z.iso.date();
/** A decimal as text ("12.50"), never a float: up to 10 digits before the point and 4 after. */
export const decimalSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d{1,10}(\.\d{1,4})?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'validation.decimal_invalid' });
    return z.NEVER;
  }
  return text;
});
/** Money as text with at most two places ("247.20"). */
export const moneySchema = z.string().trim().regex(/^\d{1,12}(\.\d{1,2})?$/, 'validation.decimal_invalid');

export const lineInputSchema = z.union([
  z.strictObject({
    description: z.string().trim().min(1).max(500),
    quantity: decimalSchema,
    unitPrice: decimalSchema,
    taxCode: z.enum(TAX_CODES).default('taxable'),
    accountCode: z.string().regex(/^[0-9]{4,6}$/).optional(),
  }),
  z.strictObject({
    itemCode: z.string().trim().min(1).max(60),
    quantity: decimalSchema.default('1'),
    description: z.string().trim().min(1).max(500).optional(),
  }),
]);
export type LineInput = z.infer<typeof lineInputSchema>;

export const createInvoiceSchema = z.strictObject({
  organizationId: z.uuid(),
  issueDate: day.optional(),
  dueDate: day.optional(),
  memo: z.string().trim().max(1000).optional(),
  lines: z.array(lineInputSchema).min(1).max(500),
});

export const updateInvoiceSchema = z.strictObject({
  issueDate: day.optional(),
  dueDate: day.optional(),
  memo: z.string().trim().max(1000).nullable().optional(),
  lines: z.array(lineInputSchema).min(1).max(500).optional(),
});

/** Lines added after a draft's own. */
export const addLinesSchema = z.strictObject({
  lines: z.array(lineInputSchema).min(1).max(500),
});

export const postInvoiceSchema = z.strictObject({
  /** Into a closed month: `refuse` (409 period_closed) or `next_open` (dated on the first day of the next open month). */
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

export const voidInvoiceSchema = z.strictObject({
  date: day.optional(),
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

export const creditNoteSchema = z.strictObject({
  issueDate: day.optional(),
  memo: z.string().trim().max(1000).optional(),
  /** Without lines, the whole invoice is credited. */
  lines: z.array(lineInputSchema).min(1).max(500).optional(),
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

export const listInvoicesSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  organizationId: z.uuid().optional(),
  status: z.enum(INVOICE_STATUSES).optional(),
  kind: z.enum(['invoice', 'credit_note']).optional(),
  /** Issued in this month (YYYY-MM). */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'validation.period_invalid').optional(),
  from: day.optional(),
  to: day.optional(),
  billingRunId: z.uuid().optional(),
  /** Changed at or after this instant: for incremental pulls. */
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type ListInvoicesQuery = z.infer<typeof listInvoicesSchema>;

const money = z.string();
export const invoiceLineSchema = z.object({
  id: z.string(),
  position: z.number(),
  kind: z.string(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
  amount: money,
  taxCode: z.enum(TAX_CODES),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  itemCode: z.string().nullable(),
  sourceKind: z.string().nullable(),
  sourceId: z.string().nullable(),
});

export const invoiceSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  customerName: z.string(),
  kind: z.enum(['invoice', 'credit_note']),
  status: z.enum(INVOICE_STATUSES),
  number: z.string().nullable(),
  issueDate: z.string(),
  dueDate: z.string(),
  billingPeriod: z.string().nullable(),
  billingRunId: z.string().nullable(),
  creditsInvoiceId: z.string().nullable(),
  locale: z.enum(['fr', 'en']),
  currency: z.literal('CAD'),
  subtotal: money,
  taxes: z.array(z.object({ tax: z.enum(['gst', 'qst']), rate: z.string().nullable(), amount: money })),
  total: money,
  paid: money,
  credited: money,
  balance: money,
  taxExemption: z.object({ reason: z.string(), number: z.string() }).nullable(),
  memo: z.string().nullable(),
  postedAt: z.string().nullable(),
  updatedAt: z.string(),
  lines: z.array(invoiceLineSchema).optional(),
});
