import { Injectable } from '@nestjs/common';
import { assertStaffScope, I18nService, NotFound, TransactionalConnection, type Locale } from '@ruche/core';
import type { AccountType } from '../accounts/account.entity.js';
import { formatLedgerJournal, type LedgerEntry } from '../journal/ledger-format.js';

export interface AccountBalance {
  code: string;
  name: string;
  type: AccountType;
  debitCents: number;
  creditCents: number;
  /** Debits minus credits. */
  balanceCents: number;
}

interface BalanceRow {
  code: string;
  name_fr: string;
  name_en: string;
  type: AccountType;
  debit: string;
  credit: string;
}

/** Normal balance sign: assets and expenses grow with debits, the rest with credits. */
const DEBIT_NORMAL: ReadonlySet<AccountType> = new Set(['asset', 'expense']);

/** The co-op's books as people read them: every figure comes from journal lines. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly i18n: I18nService,
  ) {}

  /** Debits, credits and balance of every account over entries dated from `from` to `to` (both inclusive, both optional). */
  async trialBalance(from?: string, to?: string, locale: Locale = this.i18n.locale): Promise<{ from: string | null; to: string | null; accounts: AccountBalance[]; totals: { debitCents: number; creditCents: number } }> {
    assertStaffScope('accounting:read');
    const rows = await this.db.query<BalanceRow>(
      `SELECT a.code, a.name_fr, a.name_en, a.type, coalesce(sum(m.debit_cents), 0) AS debit, coalesce(sum(m.credit_cents), 0) AS credit
         FROM accounts a
         LEFT JOIN (SELECT l.account_id, l.debit_cents, l.credit_cents FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                     WHERE ($1::date IS NULL OR e.entry_date >= $1) AND ($2::date IS NULL OR e.entry_date <= $2)) m ON m.account_id = a.id
        GROUP BY a.id HAVING a.active OR count(m.account_id) > 0
        ORDER BY a.code`,
      [from ?? null, to ?? null],
    );
    const accounts = rows.map((row) => ({
      code: row.code,
      name: locale === 'fr' ? row.name_fr : row.name_en,
      type: row.type,
      debitCents: Number(row.debit),
      creditCents: Number(row.credit),
      balanceCents: Number(row.debit) - Number(row.credit),
    }));
    return {
      from: from ?? null,
      to: to ?? null,
      accounts,
      totals: { debitCents: accounts.reduce((sum, a) => sum + a.debitCents, 0), creditCents: accounts.reduce((sum, a) => sum + a.creditCents, 0) },
    };
  }

  /** Revenue and expenses over a span; the surplus is revenue minus expenses. */
  async incomeStatement(from?: string, to?: string) {
    const { accounts } = await this.trialBalance(from, to);
    const revenue = accounts.filter((a) => a.type === 'revenue').map((a) => ({ code: a.code, name: a.name, amountCents: -a.balanceCents }));
    const expenses = accounts.filter((a) => a.type === 'expense').map((a) => ({ code: a.code, name: a.name, amountCents: a.balanceCents }));
    const totalRevenueCents = revenue.reduce((sum, a) => sum + a.amountCents, 0);
    const totalExpensesCents = expenses.reduce((sum, a) => sum + a.amountCents, 0);
    return { from: from ?? null, to: to ?? null, revenue, expenses, totalRevenueCents, totalExpensesCents, surplusCents: totalRevenueCents - totalExpensesCents };
  }

  /** Revenue, expenses and surplus of each month from `from` to `to` (YYYY-MM, both inclusive), from journal lines, in one query. */
  async incomeByMonth(from: string, to: string) {
    assertStaffScope('accounting:read');
    const rows = await this.db.query<{ month: string; revenue: string; expenses: string }>(
      `SELECT to_char(m.month, 'YYYY-MM') AS month,
              coalesce(sum(CASE WHEN a.type = 'revenue' THEN l.credit_cents - l.debit_cents END), 0) AS revenue,
              coalesce(sum(CASE WHEN a.type = 'expense' THEN l.debit_cents - l.credit_cents END), 0) AS expenses
         FROM generate_series($1::date, $2::date, interval '1 month') AS m(month)
         LEFT JOIN journal_entries e ON e.entry_date >= m.month AND e.entry_date < m.month + interval '1 month'
         LEFT JOIN journal_lines l ON l.entry_id = e.id
         LEFT JOIN accounts a ON a.id = l.account_id
        GROUP BY m.month
        ORDER BY m.month`,
      [`${from}-01`, `${to}-01`],
    );
    const months = rows.map((row) => ({ month: row.month, revenueCents: Number(row.revenue), expensesCents: Number(row.expenses), surplusCents: Number(row.revenue) - Number(row.expenses) }));
    const total = (field: 'revenueCents' | 'expensesCents' | 'surplusCents') => months.reduce((sum, month) => sum + month[field], 0);
    return { from, to, months, totals: { revenueCents: total('revenueCents'), expensesCents: total('expensesCents'), surplusCents: total('surplusCents') } };
  }

  /** Assets, liabilities and equity at a date; the surplus to date sits in equity until it is closed into it. */
  async balanceSheet(at?: string) {
    const { accounts } = await this.trialBalance(undefined, at);
    const section = (type: AccountType) =>
      accounts.filter((a) => a.type === type).map((a) => ({ code: a.code, name: a.name, amountCents: DEBIT_NORMAL.has(type) ? a.balanceCents : -a.balanceCents }));
    const sum = (items: Array<{ amountCents: number }>) => items.reduce((total, item) => total + item.amountCents, 0);
    const assets = section('asset');
    const liabilities = section('liability');
    const equity = section('equity');
    const surplusCents = sum(section('revenue')) - sum(section('expense'));
    return {
      at: at ?? null,
      assets,
      liabilities,
      equity,
      surplusToDateCents: surplusCents,
      totalAssetsCents: sum(assets),
      totalLiabilitiesAndEquityCents: sum(liabilities) + sum(equity) + surplusCents,
    };
  }

  /** Every line of one account over a span, with the balance before, after each line, and at the end. */
  async generalLedger(code: string, from?: string, to?: string) {
    assertStaffScope('accounting:read');
    const [account] = await this.db.query<{ id: string; code: string; name_fr: string; name_en: string; type: AccountType }>(`SELECT id, code, name_fr, name_en, type FROM accounts WHERE code = $1`, [code]);
    if (!account) throw new NotFound();
    const [opening] = await this.db.query<{ balance: string }>(
      `SELECT coalesce(sum(l.debit_cents - l.credit_cents), 0) AS balance FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE l.account_id = $1 AND $2::date IS NOT NULL AND e.entry_date < $2`,
      [account.id, from ?? null],
    );
    const rows = await this.db.query<{ entry_id: string; number: string; entry_date: string; description: string; source_type: string; source_id: string; debit_cents: string; credit_cents: string; party_id: string | null; memo: string | null }>(
      `SELECT e.id AS entry_id, e.number, e.entry_date::text AS entry_date, e.description, e.source_type, e.source_id, l.debit_cents, l.credit_cents, l.party_id, l.memo
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE l.account_id = $1 AND ($2::date IS NULL OR e.entry_date >= $2) AND ($3::date IS NULL OR e.entry_date <= $3)
        ORDER BY e.entry_date, e.number, l.position`,
      [account.id, from ?? null, to ?? null],
    );
    let balance = Number(opening!.balance);
    const openingBalanceCents = balance;
    const lines = rows.map((row) => {
      balance += Number(row.debit_cents) - Number(row.credit_cents);
      return {
        entryId: row.entry_id,
        entryNumber: Number(row.number),
        date: row.entry_date,
        description: row.description,
        source: `${row.source_type}:${row.source_id}`,
        debitCents: Number(row.debit_cents),
        creditCents: Number(row.credit_cents),
        partyId: row.party_id,
        memo: row.memo,
        balanceCents: balance,
      };
    });
    return {
      account: { code: account.code, name: this.i18n.locale === 'fr' ? account.name_fr : account.name_en, type: account.type },
      from: from ?? null,
      to: to ?? null,
      openingBalanceCents,
      lines,
      closingBalanceCents: balance,
    };
  }

  /** The journal as ledger/hledger text, account names in `locale`. */
  async ledgerExport(from?: string, to?: string, locale: Locale = this.i18n.locale): Promise<string> {
    assertStaffScope('accounting:read');
    const rows = await this.db.query<{ number: string; entry_date: string; description: string; source_type: string; source_id: string; code: string; name_fr: string; name_en: string; type: AccountType; debit_cents: string; credit_cents: string; memo: string | null }>(
      `SELECT e.number, e.entry_date::text AS entry_date, e.description, e.source_type, e.source_id, a.code, a.name_fr, a.name_en, a.type, l.debit_cents, l.credit_cents, l.memo
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.id = l.account_id
        WHERE ($1::date IS NULL OR e.entry_date >= $1) AND ($2::date IS NULL OR e.entry_date <= $2)
        ORDER BY e.entry_date, e.number, l.position`,
      [from ?? null, to ?? null],
    );
    const entries: LedgerEntry[] = [];
    for (const row of rows) {
      const number = Number(row.number);
      let entry = entries[entries.length - 1];
      if (entry?.number !== number) {
        entry = { number, date: row.entry_date, description: row.description, source: `${row.source_type}:${row.source_id}`, lines: [] };
        entries.push(entry);
      }
      entry.lines.push({
        account: { code: row.code, name: locale === 'fr' ? row.name_fr : row.name_en, typeName: this.i18n.t(`accounting.types.${row.type}`, {}, locale) },
        amountCents: Number(row.debit_cents) - Number(row.credit_cents),
        memo: row.memo,
      });
    }
    return formatLedgerJournal(entries);
  }
}
