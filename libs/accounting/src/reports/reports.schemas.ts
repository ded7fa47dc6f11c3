import { z } from 'zod';

const day = z.iso.date();
const format = z.enum(['json', 'csv']).default('json');

export const spanQuerySchema = z.object({ from: day.optional(), to: day.optional(), format });
export const atQuerySchema = z.object({ at: day.optional(), format });
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'validation.month_invalid');
/** Twelve months to the current one by default; at most ten years, so one answer stays small. */
export const byMonthQuerySchema = z
  .strictObject({ from: month.optional(), to: month.optional(), format })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'validation.month_span_invalid', path: ['to'] })
  .refine((q) => !q.from || !q.to || monthsBetween(q.from, q.to) <= 120, { message: 'validation.month_span_invalid', path: ['from'] });

/** How many months from `from` to `to` ("2026-01" to "2026-12": 12). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

export const generalLedgerQuerySchema = z.object({ account: z.string().regex(/^[0-9]{4,6}$/, 'validation.account_code_invalid'), from: day.optional(), to: day.optional(), format });

const money = z.string().describe('decimal, two places');
const accountAmount = z.object({ code: z.string(), name: z.string(), amount: money });

export const trialBalanceSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  accounts: z.array(z.object({ code: z.string(), name: z.string(), type: z.string(), debit: money, credit: money, balance: money })),
  totals: z.object({ debit: money, credit: money }),
});

export const incomeStatementSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  revenue: z.array(accountAmount),
  expenses: z.array(accountAmount),
  totalRevenue: money,
  totalExpenses: money,
  surplus: money,
});

export const incomeByMonthSchema = z.object({
  from: z.string().describe('first month, YYYY-MM'),
  to: z.string().describe('last month, YYYY-MM'),
  months: z.array(z.object({ month: z.string(), revenue: money, expenses: money, surplus: money })).describe('every month of the span, oldest first, months without entries at zero'),
  totals: z.object({ revenue: money, expenses: money, surplus: money }),
});

export const balanceSheetSchema = z.object({
  at: z.string().nullable(),
  assets: z.array(accountAmount),
  liabilities: z.array(accountAmount),
  equity: z.array(accountAmount),
  surplusToDate: money,
  totalAssets: money,
  totalLiabilitiesAndEquity: money,
});

export const generalLedgerSchema = z.object({
  account: z.object({ code: z.string(), name: z.string(), type: z.string() }),
  from: z.string().nullable(),
  to: z.string().nullable(),
  openingBalance: money,
  lines: z.array(
    z.object({ entryId: z.string(), entryNumber: z.number(), date: z.string(), description: z.string(), source: z.string(), debit: money, credit: money, partyId: z.string().nullable(), memo: z.string().nullable(), balance: money }),
  ),
  closingBalance: money,
});

export const consistencySchema = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), problems: z.array(z.unknown()) })),
});
