import { Controller, Delete, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { csvOr, toCsv } from '@ruche/accounting';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { TimeEntriesService } from './time-entries.service.js';
import { adjustEntrySchema, approveSchema, createEntrySchema, ENTRY_CSV, entryCsvRow, entrySchema, entryWithWarningsSchema, listEntriesSchema, toEntryDto, updateEntrySchema, warningSchema } from './time-entry.schemas.js';

// A client (no timekeeping scope) is told time entries do not exist (404), as for anything not theirs.
const read = { conceal: 'timekeeping:read' } as const;

@Controller(apiPath('time-entries'))
export class TimeEntriesController {
  constructor(private readonly entries: TimeEntriesService) {}

  @Get()
  @Authorize('timekeeping:read', read)
  @Doc({ summary: 'Time entries: your own (coordinators and accountants: anyone’s, workerId to choose), by day span, contract, status (JSON pages, or all as CSV with format=csv)', tags: ['timekeeping'], response: pageSchema(entrySchema) })
  async list(@ValidQuery(listEntriesSchema) query: z.infer<typeof listEntriesSchema>, @Res({ passthrough: true }) reply: FastifyReply) {
    if (query.format === 'csv') {
      const views = await this.entries.all(query);
      return csvOr(reply, 'csv', 'time-entries', () => null, () => toCsv(ENTRY_CSV, views.map(entryCsvRow)));
    }
    const page = await this.entries.list(query);
    return { data: page.data.map(toEntryDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:write', read)
  @Idempotent()
  @Doc({ summary: 'Record time (send an Idempotency-Key): the duration is rounded once and both figures kept; a capped contract near its cap answers a warning', tags: ['timekeeping'], response: entryWithWarningsSchema, status: 201 })
  async create(@ValidBody(createEntrySchema) body: z.infer<typeof createEntrySchema>) {
    const { view, warnings } = await this.entries.create(body);
    return { ...toEntryDto(view), warnings };
  }

  @Post('approve')
  @HttpCode(200)
  @Authorize('timekeeping:admin', read)
  @Doc({
    summary: 'Approve open entries (coordinators): they are frozen, and billable hours go to billing as invoice lines for the next billing run (per contract, task, month and rate; nothing past a cap)',
    tags: ['timekeeping'],
    response: z.object({ approved: z.array(entrySchema), alreadyApproved: z.array(z.string()), warnings: z.array(warningSchema) }),
  })
  async approve(@ValidBody(approveSchema) body: z.infer<typeof approveSchema>) {
    const result = await this.entries.approve(body.ids);
    return { approved: result.approved.map(toEntryDto), alreadyApproved: result.alreadyApproved, warnings: result.warnings };
  }

  @Get(':id')
  @Authorize('timekeeping:read', read)
  @Doc({ summary: 'One time entry (yours, or anyone’s for coordinators and accountants)', tags: ['timekeeping'], response: entrySchema })
  async get(@IdParam() id: string) {
    return toEntryDto(await this.entries.get(id));
  }

  @Patch(':id')
  @Authorize('timekeeping:write', read)
  @Doc({ summary: 'Change one of your open entries (a new duration is rounded again)', tags: ['timekeeping'], response: entryWithWarningsSchema })
  async update(@IdParam() id: string, @ValidBody(updateEntrySchema) body: z.infer<typeof updateEntrySchema>) {
    const { view, warnings } = await this.entries.update(id, body);
    return { ...toEntryDto(view), warnings };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('timekeeping:write', read)
  @Doc({ summary: 'Delete one of your open entries', tags: ['timekeeping'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.entries.remove(id);
  }

  @Post(':id/unapprove')
  @HttpCode(200)
  @Authorize('timekeeping:admin', read)
  @Doc({ summary: 'Send an approved entry back to its worker (coordinators): its hours are taken back from billing; refused once invoiced or paid', tags: ['timekeeping'], response: entrySchema })
  async unapprove(@IdParam() id: string) {
    return toEntryDto(await this.entries.unapprove(id));
  }

  @Post(':id/adjustments')
  @Authorize('timekeeping:write', read)
  @Idempotent()
  @Doc({ summary: 'Correct an approved (even invoiced or paid) entry with a new adjusting entry of signed minutes, to approve in turn', tags: ['timekeeping'], response: entryWithWarningsSchema, status: 201 })
  async adjust(@IdParam() id: string, @ValidBody(adjustEntrySchema) body: z.infer<typeof adjustEntrySchema>) {
    const { view, warnings } = await this.entries.adjust(id, body);
    return { ...toEntryDto(view), warnings };
  }
}
