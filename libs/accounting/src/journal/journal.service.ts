import { Injectable } from '@nestjs/common';
import { assertStaffScope, I18nService, NotFound, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import type { z } from 'zod';
import { centsToDecimal } from '../shared/money.js';
import { JournalEntry } from './journal-entry.entity.js';
import type { entrySchema } from './journal.schemas.js';
import { LedgerService, type PostedEntry } from './ledger.service.js';

type EntryDto = z.infer<typeof entrySchema>;

/** Reading the journal, and the accountants' own entries and reversals. */
@Injectable()
export class JournalService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly ledger: LedgerService,
    private readonly i18n: I18nService,
  ) {}

  async list(query: PageQuery & { from?: string | undefined; to?: string | undefined }): Promise<Page<EntryDto>> {
    assertStaffScope('accounting:read');
    const qb = this.db.getRepository(JournalEntry).createQueryBuilder('e');
    if (query.from) qb.andWhere('e.entryDate >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.entryDate <= :to', { to: query.to });
    const page = await paginate(qb, query);
    return { data: await this.withLines(page.data), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<EntryDto> {
    assertStaffScope('accounting:read');
    const entry = await this.db.getRepository(JournalEntry).findOneBy({ id });
    if (!entry) throw new NotFound();
    return (await this.withLines([entry]))[0]!;
  }

  async reverse(id: string, input: { date: string; whenClosed: 'refuse' | 'next_open' }): Promise<PostedEntry> {
    assertStaffScope('accounting:write');
    const entry = await this.db.getRepository(JournalEntry).findOneBy({ id });
    if (!entry) throw new NotFound();
    return this.ledger.reverse(id, {
      date: input.date,
      whenClosed: input.whenClosed,
      description: this.i18n.t('accounting.reversal', { number: entry.number, description: entry.description }).slice(0, 500),
      source: { type: 'reversal', id },
    });
  }

  private async withLines(entries: JournalEntry[]): Promise<EntryDto[]> {
    if (entries.length === 0) return [];
    const lines = await this.db.query<{ entry_id: string; code: string; debit_cents: string; credit_cents: string; party_id: string | null; memo: string | null }>(
      `SELECT l.entry_id, a.code, l.debit_cents, l.credit_cents, l.party_id, l.memo FROM journal_lines l JOIN accounts a ON a.id = l.account_id
        WHERE l.entry_id = ANY($1::uuid[]) ORDER BY l.entry_id, l.position`,
      [entries.map((entry) => entry.id)],
    );
    return entries.map((entry) => ({
      id: entry.id,
      number: Number(entry.number),
      date: entry.entryDate,
      description: entry.description,
      sourceType: entry.sourceType,
      sourceId: entry.sourceId,
      reversesId: entry.reversesId,
      lines: lines
        .filter((line) => line.entry_id === entry.id)
        .map((line) => ({ account: line.code, debit: centsToDecimal(Number(line.debit_cents)), credit: centsToDecimal(Number(line.credit_cents)), partyId: line.party_id, memo: line.memo })),
    }));
  }
}
