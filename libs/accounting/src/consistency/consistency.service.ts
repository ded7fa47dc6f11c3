import { Injectable } from '@nestjs/common';
import { assertStaffScope, TransactionalConnection } from '@ruche/core';
import { entryHash } from '../journal/ledger.service.js';

export interface ConsistencyResult {
  name: string;
  ok: boolean;
  /** What failed, for people to look at (ids, expected and found). */
  problems: unknown[];
}

/** A check another lib adds (billing: receivables equal open invoices; posted invoices unchanged). */
export type ConsistencyCheck = () => Promise<unknown[]>;

const BATCH = 2_000;

/** Proves the books' invariants on demand; libs that post register their own checks. */
@Injectable()
export class ConsistencyService {
  private readonly checks = new Map<string, ConsistencyCheck>();

  constructor(private readonly db: TransactionalConnection) {
    this.register('entries_balance', () => this.unbalancedEntries());
    this.register('journal_unchanged', () => this.changedEntries());
  }

  register(name: string, check: ConsistencyCheck): void {
    this.checks.set(name, check);
  }

  async run(): Promise<{ ok: boolean; checks: ConsistencyResult[] }> {
    assertStaffScope('accounting:read');
    const checks: ConsistencyResult[] = [];
    for (const [name, check] of this.checks) {
      const problems = await check();
      checks.push({ name, ok: problems.length === 0, problems: problems.slice(0, 100) });
    }
    return { ok: checks.every((check) => check.ok), checks };
  }

  private unbalancedEntries(): Promise<unknown[]> {
    return this.db.query(
      `SELECT e.id, e.number, coalesce(sum(l.debit_cents), 0)::text AS debits, coalesce(sum(l.credit_cents), 0)::text AS credits
         FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
        GROUP BY e.id HAVING coalesce(sum(l.debit_cents), 0) <> coalesce(sum(l.credit_cents), 0) OR count(l.entry_id) < 2`,
    );
  }

  /** Entries whose lines no longer hash to what was recorded when they were posted. */
  private async changedEntries(): Promise<unknown[]> {
    const problems: unknown[] = [];
    let after = 0;
    for (;;) {
      const entries = await this.db.query<{ id: string; number: string; entry_date: string; description: string; source_type: string; source_id: string; reverses_id: string | null; content_hash: string; lines: Array<{ position: number; account_id: string; debit_cents: number; credit_cents: number; party_id: string | null; memo: string | null }> }>(
        `SELECT e.id, e.number, e.entry_date::text AS entry_date, e.description, e.source_type, e.source_id, e.reverses_id, e.content_hash,
                (SELECT json_agg(l ORDER BY l.position) FROM journal_lines l WHERE l.entry_id = e.id) AS lines
           FROM journal_entries e WHERE e.number > $1 ORDER BY e.number LIMIT $2`,
        [after, BATCH],
      );
      for (const entry of entries) {
        const hash = entryHash(
          { entryDate: entry.entry_date, description: entry.description, sourceType: entry.source_type, sourceId: entry.source_id, reversesId: entry.reverses_id },
          (entry.lines ?? []).map((line) => ({ position: line.position, accountId: line.account_id, debitCents: Number(line.debit_cents), creditCents: Number(line.credit_cents), partyId: line.party_id, memo: line.memo })),
        );
        if (hash !== entry.content_hash) problems.push({ entryId: entry.id, number: Number(entry.number) });
      }
      if (entries.length < BATCH) return problems;
      after = Number(entries[entries.length - 1]!.number);
    }
  }
}
