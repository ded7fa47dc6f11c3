import { Controller, Get, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, ValidQuery } from '@ruche/core';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ConsistencyService } from '../consistency/consistency.service.js';
import { toCsv } from '../shared/csv.js';
import { centsToDecimal, withDecimals } from '../shared/money.js';
import { atQuerySchema, balanceSheetSchema, byMonthQuerySchema, incomeByMonthSchema, consistencySchema, generalLedgerQuerySchema, generalLedgerSchema, incomeStatementSchema, spanQuerySchema, trialBalanceSchema } from './reports.schemas.js';
import { ReportsService } from './reports.service.js';

/** Sends CSV when asked (`format=csv`), with a file name; else the JSON answer. */
export function csvOr<T>(reply: FastifyReply, format: 'json' | 'csv', name: string, json: () => T, csv: () => string): T | string {
  if (format === 'json') return json();
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
  return csv();
}

const money = centsToDecimal;

/** "2026-11" moved by `delta` months ("2026-11", -11 → "2025-12"). */
function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every worker reads these (the co-op's transparency); figures come from the journal only. */
@Controller(apiPath('accounting'))
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly consistency: ConsistencyService,
  ) {}

  @Get('reports/trial-balance')
  @Authorize('accounting:read')
  @Doc({ summary: 'Trial balance over a span: each account with debits, credits and balance (JSON or CSV)', tags: ['reports'], response: trialBalanceSchema })
  async trialBalance(@ValidQuery(spanQuerySchema) query: z.infer<typeof spanQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.trialBalance(query.from, query.to);
    return csvOr(reply, query.format, 'trial-balance', () => withDecimals(report), () =>
      toCsv(['code', 'name', 'type', 'debit', 'credit', 'balance'], report.accounts.map((a) => [a.code, a.name, a.type, money(a.debitCents), money(a.creditCents), money(a.balanceCents)])),
    );
  }

  @Get('reports/income-statement')
  @Authorize('accounting:read')
  @Doc({ summary: 'Income statement over a span: revenue, expenses, surplus (JSON or CSV)', tags: ['reports'], response: incomeStatementSchema })
  async incomeStatement(@ValidQuery(spanQuerySchema) query: z.infer<typeof spanQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.incomeStatement(query.from, query.to);
    return csvOr(reply, query.format, 'income-statement', () => withDecimals(report), () =>
      toCsv(['section', 'code', 'name', 'amount'], [
        ...report.revenue.map((a) => ['revenue', a.code, a.name, money(a.amountCents)]),
        ...report.expenses.map((a) => ['expenses', a.code, a.name, money(a.amountCents)]),
        ['surplus', '', '', money(report.surplusCents)],
      ]),
    );
  }

  @Get('reports/income-by-month')
  @Authorize('accounting:read')
  @Doc({ summary: 'Revenue, expenses and surplus month by month (the twelve months to this one unless from and to say otherwise; JSON or CSV)', tags: ['reports'], response: incomeByMonthSchema })
  async incomeByMonth(@ValidQuery(byMonthQuerySchema) query: z.infer<typeof byMonthQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const to = query.to ?? (query.from ? shiftMonth(query.from, 11) : new Date().toISOString().slice(0, 7));
    const from = query.from ?? shiftMonth(to, -11);
    const report = await this.reports.incomeByMonth(from, to);
    return csvOr(reply, query.format, `income-by-month-${from}-${to}`, () => withDecimals(report), () =>
      toCsv(['month', 'revenue', 'expenses', 'surplus'], report.months.map((m) => [m.month, money(m.revenueCents), money(m.expensesCents), money(m.surplusCents)])),
    );
  }

  @Get('reports/balance-sheet')
  @Authorize('accounting:read')
  @Doc({ summary: 'Balance sheet at a date: assets, liabilities, equity and the surplus to date (JSON or CSV)', tags: ['reports'], response: balanceSheetSchema })
  async balanceSheet(@ValidQuery(atQuerySchema) query: z.infer<typeof atQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.balanceSheet(query.at);
    return csvOr(reply, query.format, 'balance-sheet', () => withDecimals(report), () =>
      toCsv(['section', 'code', 'name', 'amount'], [
        ...report.assets.map((a) => ['assets', a.code, a.name, money(a.amountCents)]),
        ...report.liabilities.map((a) => ['liabilities', a.code, a.name, money(a.amountCents)]),
        ...report.equity.map((a) => ['equity', a.code, a.name, money(a.amountCents)]),
        ['surplus to date', '', '', money(report.surplusToDateCents)],
      ]),
    );
  }

  @Get('reports/general-ledger')
  @Authorize('accounting:read')
  @Doc({ summary: 'General ledger of one account over a span, with running balance (JSON or CSV)', tags: ['reports'], response: generalLedgerSchema })
  async generalLedger(@ValidQuery(generalLedgerQuerySchema) query: z.infer<typeof generalLedgerQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.generalLedger(query.account, query.from, query.to);
    return csvOr(reply, query.format, `general-ledger-${report.account.code}`, () => withDecimals(report), () =>
      toCsv(['date', 'entry', 'description', 'source', 'debit', 'credit', 'balance', 'party', 'memo'], report.lines.map((l) => [l.date, l.entryNumber, l.description, l.source, money(l.debitCents), money(l.creditCents), money(l.balanceCents), l.partyId, l.memo])),
    );
  }

  @Get('consistency')
  @Authorize('accounting:read')
  @Doc({ summary: 'Proves the invariants: every entry balances, no posted entry or document changed, receivables equal open invoices', tags: ['reports'], response: consistencySchema })
  check() {
    return this.consistency.run();
  }
}
