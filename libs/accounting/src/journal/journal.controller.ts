import { Controller, Get, Post, Res } from '@nestjs/common';
import { apiPath, assertStaffScope, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ReportsService } from '../reports/reports.service.js';
import { entrySchema, journalQuerySchema, manualEntrySchema, reversalSchema } from './journal.schemas.js';
import { JournalService } from './journal.service.js';
import { LedgerService } from './ledger.service.js';

const postedSchema = z.object({ id: z.string(), number: z.number(), entryDate: z.string() });

@Controller(apiPath('accounting/journal'))
export class JournalController {
  constructor(
    private readonly journal: JournalService,
    private readonly ledger: LedgerService,
    private readonly reports: ReportsService,
  ) {}

  @Get()
  @Authorize('accounting:read')
  @Doc({ summary: 'Journal entries with their lines (JSON pages), or the whole span as ledger/hledger text (format=ledger)', tags: ['accounting'], response: pageSchema(entrySchema) })
  async list(@ValidQuery(journalQuerySchema) query: z.infer<typeof journalQuerySchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    if (query.format === 'ledger') {
      reply.header('content-type', 'text/plain; charset=utf-8');
      return this.reports.ledgerExport(query.from, query.to, query.locale);
    }
    return this.journal.list(query);
  }

  @Get(':id')
  @Authorize('accounting:read')
  @Doc({ summary: 'One journal entry', tags: ['accounting'], response: entrySchema })
  get(@IdParam() id: string) {
    return this.journal.get(id);
  }

  @Post()
  @Authorize('accounting:write')
  @Idempotent()
  @Doc({ summary: 'Post a manual entry (accountants): balanced, into an open period', tags: ['accounting'], response: postedSchema, status: 201 })
  create(@ValidBody(manualEntrySchema) body: z.infer<typeof manualEntrySchema>) {
    assertStaffScope('accounting:write');
    return this.ledger.recordManual({
      date: body.date,
      description: body.description,
      whenClosed: body.whenClosed,
      lines: body.lines.map((line) => ({ account: line.account, debitCents: line.debit ?? 0, creditCents: line.credit ?? 0, partyId: line.partyId ?? null, memo: line.memo ?? null })),
    });
  }

  @Post(':id/reversal')
  @Authorize('accounting:write')
  @Idempotent()
  @Doc({ summary: 'Reverse an entry (accountants): its mirror image, referencing it; once only', tags: ['accounting'], response: postedSchema, status: 201 })
  reverse(@IdParam() id: string, @ValidBody(reversalSchema) body: z.infer<typeof reversalSchema>) {
    return this.journal.reverse(id, body);
  }
}
