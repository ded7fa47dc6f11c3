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
  private accountIds = new Map<string, string>();

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
    const { debits, credits } = entryTotals(posting.lines);
    if (debits !== credits || posting.lines.length < 2) throw new DomainError('entry_unbalanced', 422, { debits, credits });
    return this.write(posting, null);
  }

  /** Posts the mirror image of an entry (debits become credits), referencing it. */
  async reverse(entryId: string, options: { date: string; description?: string; source: { type: string; id: string }; whenClosed?: 'refuse' | 'next_open' }): Promise<PostedEntry> {
    const entry = await this.db.getRepository(JournalEntry).findOneBy({ id: entryId });
    if (!entry) throw new NotFound();
    if (await this.db.getRepository(JournalEntry).existsBy({ reversesId: entryId })) throw new Conflict('entry_already_reversed');
    const lines = await this.db.getRepository(JournalLine).find({ where: { entryId }, order: { position: 'ASC' } });
    const codes = await this.db.getRepository(Account).findBy({ id: In([...new Set(lines.map((line) => line.accountId))]) });
    const codeOf = new Map(codes.map((account) => [account.id, account.code]));
    return this.write(
      {
        date: options.date,
        description: options.description ?? `Reversal of entry ${entry.number}: ${entry.description}`.slice(0, 500),
        source: options.source,
        whenClosed: options.whenClosed ?? 'refuse',
        lines: lines.map((line) => ({ account: codeOf.get(line.accountId)!, debitCents: line.creditCents, creditCents: line.debitCents, partyId: line.partyId, memo: line.memo })),
      },
      entryId,
    );
  }

  async entryOf(source: { type: string; id: string }): Promise<JournalEntry | null> {
    return this.db.getRepository(JournalEntry).findOneBy({ sourceType: source.type, sourceId: source.id });
  }

  private async write(posting: Posting, reversesId: string | null): Promise<PostedEntry> {
    if (posting.source.type !== 'manual') {
      const existing = await this.entryOf(posting.source);
      if (existing) return { id: existing.id, number: Number(existing.number), entryDate: existing.entryDate };
    }
    const entryDate = await this.postingDate(posting.date, posting.whenClosed);
    const accountIds = await this.resolveAccounts(posting.lines.map((line) => line.account));
    const id = newId();
    const lines = posting.lines.map((line, index) => ({
      entryId: id,
      position: index + 1,
      accountId: accountIds[index]!,
      debitCents: line.debitCents ?? 0,
      creditCents: line.creditCents ?? 0,
      partyId: line.partyId ?? null,
      memo: line.memo ?? null,
    }));
    const entry = { id, entryDate, description: posting.description.slice(0, 500), sourceType: posting.source.type, sourceId: posting.source.id, reversesId };
    const [inserted] = await this.db.query<{ number: string }>(
      `INSERT INTO journal_entries (id, entry_date, description, source_type, source_id, reverses_id, content_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING number`,
      [id, entryDate, entry.description, entry.sourceType, entry.sourceId, reversesId, entryHash(entry, lines), currentActor()?.userId ?? null],
    );
    await this.db.query(
      `INSERT INTO journal_lines (entry_id, position, account_id, debit_cents, credit_cents, party_id, memo)
       SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::bigint[], $5::bigint[], $6::uuid[], $7::text[])`,
      [id, lines.map((l) => l.position), lines.map((l) => l.accountId), lines.map((l) => l.debitCents), lines.map((l) => l.creditCents), lines.map((l) => l.partyId), lines.map((l) => l.memo)],
    );
    return { id, number: Number(inserted!.number), entryDate };
  }

  /** Account ids for codes, refusing unknown or inactive accounts. */
  private async resolveAccounts(codes: string[]): Promise<string[]> {
    const missing = codes.filter((code) => !this.accountIds.has(code));
    if (missing.length > 0) {
      const accounts = await this.db.getRepository(Account).findBy({ code: In([...new Set(missing)]), active: true });
      for (const account of accounts) this.accountIds.set(account.code, account.id);
    }
    return codes.map((code) => {
      const id = this.accountIds.get(code);
      if (!id) throw new DomainError('account_unknown', 422, { code });
      return id;
    });
  }

  /** Accounts changed (deactivated): forget what was resolved. */
  forgetAccounts(): void {
    this.accountIds.clear();
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
