import { Injectable } from '@nestjs/common';
import { AuditService, Conflict, currentActor, DomainError, NotFound, newId, sha256, TransactionalConnection } from '@ruche/core';
import { In } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { monthOf, nextMonth } from '../periods/months.js';
import { ClosedPeriod } from '../periods/closed-period.entity.js';
import { JournalEntry } from './journal-entry.entity.js';
import { JournalLine } from './journal-line.entity.js';

/** One side of a posting: an account (by its code), a debit or a credit in cents, and for receivables the customer. */
export interface PostingLine {
  account: string;
  debitCents?: number;
  creditCents?: number;
  partyId?: string | null;
  memo?: string | null;
}

export interface Posting {
  date: string;
  description: string;
  /** What caused it, unique per source (manual entries excepted): posting the same source twice answers the first entry. */
  source: { type: string; id: string };
  lines: PostingLine[];
  /** Into a closed month: refuse (the default), or date the entry on the first day of the next open month. */
  whenClosed?: 'refuse' | 'next_open';
}

export interface PostedEntry {
  id: string;
  number: number;
  entryDate: string;
}

export class PeriodClosed extends DomainError {
  constructor(month: string) {
    super('period_closed', 409, { month: month.slice(0, 7) }, { month: month.slice(0, 7) });
  }
}

/** Debits minus credits of each line, after checking each line holds exactly one positive whole amount. */
export function entryTotals(lines: ReadonlyArray<Pick<PostingLine, 'debitCents' | 'creditCents'>>): { debits: number; credits: number } {
  let debits = 0;
  let credits = 0;
  for (const line of lines) {
    const debit = line.debitCents ?? 0;
    const credit = line.creditCents ?? 0;
    if (!Number.isSafeInteger(debit) || !Number.isSafeInteger(credit) || debit < 0 || credit < 0 || (debit > 0) === (credit > 0)) {
      throw new Error('a journal line holds exactly one positive whole amount of cents');
    }
    debits += debit;
    credits += credit;
  }
  return { debits, credits };
}

/** What the consistency check recomputes: the entry and its lines as they were posted. */
export function entryHash(entry: Pick<JournalEntry, 'entryDate' | 'description' | 'sourceType' | 'sourceId' | 'reversesId'>, lines: ReadonlyArray<Pick<JournalLine, 'position' | 'accountId' | 'debitCents' | 'creditCents' | 'partyId' | 'memo'>>): string {
  const sorted = [...lines].sort((a, b) => a.position - b.position);
  return sha256(
    JSON.stringify([
      entry.entryDate,
      entry.description,
      entry.sourceType,
      entry.sourceId,
      entry.reversesId,
      sorted.map((line) => [line.position, line.accountId, line.debitCents, line.creditCents, line.partyId, line.memo]),
    ]),
  );
}

/**
 * The journal's one way in: balanced entries with a source reference, in the caller's
 * transaction. Accounting knows nothing of what the source is (an invoice, a payment…).
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  /** The date an entry for `date` would get: itself when its month is open, else per `whenClosed`. */
  async postingDate(date: string, whenClosed: 'refuse' | 'next_open' = 'refuse'): Promise<string> {
    let candidate = date;
    for (;;) {
      const month = monthOf(candidate);
      // Shared with closing this month (exclusive): a close waits for postings in flight, and a
      // posting that waited sees the close.
      await this.db.query(`SELECT pg_advisory_xact_lock_shared(hashtext('ruche:period:' || $1))`, [month]);
      const closed = await this.db.getRepository(ClosedPeriod).existsBy({ month });
      if (!closed) return candidate;
      if (whenClosed === 'refuse') throw new PeriodClosed(month);
      candidate = nextMonth(month);
    }
  }

  async post(posting: Posting): Promise<PostedEntry> {
    return (await this.postMany([posting]))[0]!;
  }

  /** Posts several entries in a few round trips (a billing run's invoices); each balances, each source once. */
  async postMany(postings: Posting[]): Promise<PostedEntry[]> {
    for (const posting of postings) {
      const { debits, credits } = entryTotals(posting.lines);
      if (debits !== credits || posting.lines.length < 2) throw new DomainError('entry_unbalanced', 422, { debits, credits });
    }
    return this.write(postings.map((posting) => ({ posting, reversesId: null })));
  }

  /** Posts the mirror image of an entry (debits become credits), referencing it. */
  async reverse(entryId: string, options: { date: string; description?: string; source: { type: string; id: string }; whenClosed?: 'refuse' | 'next_open' }): Promise<PostedEntry> {
    const entry = await this.db.getRepository(JournalEntry).findOneBy({ id: entryId });
    if (!entry) throw new NotFound();
    if (await this.db.getRepository(JournalEntry).existsBy({ reversesId: entryId })) throw new Conflict('entry_already_reversed');
    const lines = await this.db.getRepository(JournalLine).find({ where: { entryId }, order: { position: 'ASC' } });
    const codes = await this.db.getRepository(Account).findBy({ id: In([...new Set(lines.map((line) => line.accountId))]) });
    const codeOf = new Map(codes.map((account) => [account.id, account.code]));
    const posting: Posting = {
      date: options.date,
      description: options.description ?? `Reversal of entry ${entry.number}: ${entry.description}`.slice(0, 500),
      source: options.source,
      whenClosed: options.whenClosed ?? 'refuse',
      lines: lines.map((line) => ({ account: codeOf.get(line.accountId)!, debitCents: line.creditCents, creditCents: line.debitCents, partyId: line.partyId, memo: line.memo })),
    };
    return (await this.write([{ posting, reversesId: entryId }]))[0]!;
  }

  async entryOf(source: { type: string; id: string }): Promise<JournalEntry | null> {
    return this.db.getRepository(JournalEntry).findOneBy({ sourceType: source.type, sourceId: source.id });
  }

  private async write(items: Array<{ posting: Posting; reversesId: string | null }>): Promise<PostedEntry[]> {
    if (items.length === 0) return [];
    // A source already posted answers its entry (a retried request, a resumed run).
    const sourced = items.filter(({ posting }) => posting.source.type !== 'manual');
    const existing = new Map<string, PostedEntry>();
    if (sourced.length > 0) {
      const rows = await this.db.query<{ id: string; number: string; entry_date: string; source_type: string; source_id: string }>(
        `SELECT e.id, e.number, e.entry_date::text AS entry_date, e.source_type, e.source_id FROM journal_entries e
           JOIN unnest($1::text[], $2::text[]) s(source_type, source_id) ON s.source_type = e.source_type AND s.source_id = e.source_id`,
        [sourced.map(({ posting }) => posting.source.type), sourced.map(({ posting }) => posting.source.id)],
      );
      for (const row of rows) existing.set(`${row.source_type}:${row.source_id}`, { id: row.id, number: Number(row.number), entryDate: row.entry_date });
    }
    const dates = new Map<string, string>();
    const accountIds = await this.activeAccounts(items.flatMap(({ posting }) => posting.lines.map((line) => line.account)));
    const entries: Array<{ id: string; entryDate: string; description: string; sourceType: string; sourceId: string; reversesId: string | null; hash: string }> = [];
    const lines: Array<Omit<JournalLine, 'entry' | 'account'>> = [];
    const answers: Array<PostedEntry | string> = [];
    for (const { posting, reversesId } of items) {
      const known = existing.get(`${posting.source.type}:${posting.source.id}`);
      if (known && posting.source.type !== 'manual') {
        answers.push(known);
        continue;
      }
      const key = `${posting.date}:${posting.whenClosed ?? 'refuse'}`;
      if (!dates.has(key)) dates.set(key, await this.postingDate(posting.date, posting.whenClosed));
      const entryDate = dates.get(key)!;
      const id = newId();
      const entryLines = posting.lines.map((line, index) => ({
        entryId: id,
        position: index + 1,
        accountId: accountIds.get(line.account)!,
        debitCents: line.debitCents ?? 0,
        creditCents: line.creditCents ?? 0,
        partyId: line.partyId ?? null,
        memo: line.memo ?? null,
      }));
      const entry = { id, entryDate, description: posting.description.slice(0, 500), sourceType: posting.source.type, sourceId: posting.source.id, reversesId };
      entries.push({ ...entry, hash: entryHash(entry, entryLines) });
      lines.push(...entryLines);
      answers.push(id);
    }
    const numbers = new Map<string, number>();
    if (entries.length > 0) {
      const column = <K extends keyof (typeof entries)[number]>(key: K) => entries.map((entry) => entry[key]);
      const inserted = await this.db.query<{ id: string; number: string }>(
        `INSERT INTO journal_entries (id, entry_date, description, source_type, source_id, reverses_id, content_hash, created_by)
         SELECT e.id, e.day, e.description, e.source_type, e.source_id, e.reverses_id, e.hash, $8::uuid
           FROM unnest($1::uuid[], $2::date[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[])
                WITH ORDINALITY AS e(id, day, description, source_type, source_id, reverses_id, hash, n)
          ORDER BY e.n
         RETURNING id, number`,
        [column('id'), column('entryDate'), column('description'), column('sourceType'), column('sourceId'), column('reversesId'), column('hash'), currentActor()?.userId ?? null],
      );
      for (const row of inserted) numbers.set(row.id, Number(row.number));
      const field = <K extends keyof (typeof lines)[number]>(key: K) => lines.map((line) => line[key]);
      await this.db.query(
        `INSERT INTO journal_lines (entry_id, position, account_id, debit_cents, credit_cents, party_id, memo)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::bigint[], $5::bigint[], $6::uuid[], $7::text[])`,
        [field('entryId'), field('position'), field('accountId'), field('debitCents'), field('creditCents'), field('partyId'), field('memo')],
      );
    }
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    return answers.map((answer) => (typeof answer === 'string' ? { id: answer, number: numbers.get(answer)!, entryDate: byId.get(answer)!.entryDate } : answer));
  }

  /** Refuses (422, account_unknown) a code that is not an active account of the chart: what other libs check before they write a line that will post there. */
  async assertActive(codes: string[]): Promise<void> {
    await this.activeAccounts(codes);
  }

  /**
   * Account ids by code, in one query, refusing unknown or retired accounts (read each time:
   * another process may have retired one). The accounts stay share-locked until the caller's
   * transaction ends, so none is retired meanwhile (AccountsService locks the one it retires).
   */
  private async activeAccounts(codes: string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(codes)];
    const rows = await this.db.query<{ id: string; code: string }>(`SELECT id, code FROM accounts WHERE code = ANY($1::text[]) AND active FOR SHARE`, [wanted]);
    const ids = new Map(rows.map((row) => [row.code, row.id]));
    const unknown = wanted.find((code) => !ids.has(code));
    if (unknown) throw new DomainError('account_unknown', 422, { code: unknown });
    return ids;
  }

  /** Debits minus credits of one account per party, up to a date (inclusive), for reconciliations. */
  async partyBalances(accountCode: string, upTo?: string): Promise<Map<string, number>> {
    const rows = await this.db.query<{ party_id: string; balance: string }>(
      `SELECT l.party_id, sum(l.debit_cents - l.credit_cents) AS balance
         FROM journal_lines l JOIN accounts a ON a.id = l.account_id JOIN journal_entries e ON e.id = l.entry_id
        WHERE a.code = $1 AND l.party_id IS NOT NULL AND ($2::date IS NULL OR e.entry_date <= $2)
        GROUP BY l.party_id`,
      [accountCode, upTo ?? null],
    );
    return new Map(rows.map((row) => [row.party_id, Number(row.balance)]));
  }

  async recordManual(posting: Omit<Posting, 'source'>): Promise<PostedEntry> {
    const posted = await this.post({ ...posting, source: { type: 'manual', id: newId() } });
    await this.audit.record({ action: 'journal.post', targetType: 'journal_entry', targetId: posted.id, after: { date: posted.entryDate, description: posting.description, lines: posting.lines } });
    return posted;
  }
}
