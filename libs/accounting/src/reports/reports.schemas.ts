import { z } from 'zod';

const day = z.iso.date();
const format = z.enum(['json', 'csv']).default('json');

export const spanQuerySchema = z.object({ from: day.optional(), to: day.optional(), format });
export const atQuerySchema = z.object({ at: day.optional(), format });
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
