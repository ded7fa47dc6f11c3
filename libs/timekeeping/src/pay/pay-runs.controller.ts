import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { centsToDecimal } from '@ruche/accounting';
import { z } from 'zod';
import { hoursText } from '../shared/decimal.js';
import { isoDate } from '../shared/schemas.js';
import type { PayRun } from './pay-run.entity.js';
import { PayRunsService, type PayRunView } from './pay-runs.service.js';

const payRunSchema = z.object({ id: z.string(), through: z.string(), paidOn: z.string(), entries: z.number(), hours: z.string(), total: z.string(), createdBy: z.string().nullable(), createdAt: z.string() });
const payRunWithWorkersSchema = payRunSchema.extend({ workers: z.array(z.object({ workerId: z.string(), displayName: z.string(), hours: z.string(), amount: z.string() })) });
const toDto = (run: PayRun): z.infer<typeof payRunSchema> => ({ id: run.id, through: run.through, paidOn: run.paidOn, entries: run.entries, hours: hoursText(run.minutes), total: centsToDecimal(run.totalCents), createdBy: run.createdBy, createdAt: run.createdAt.toISOString() });
const toViewDto = (view: PayRunView) => ({ ...toDto(view.run), workers: view.workers.map((w) => ({ workerId: w.workerId, displayName: w.displayName, hours: w.hours, amount: centsToDecimal(w.amountCents) })) });
const createSchema = z.strictObject({ through: isoDate, paidOn: isoDate });

@Controller(apiPath('pay-runs'))
export class PayRunsController {
  constructor(private readonly payRuns: PayRunsService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Wages paid, newest first', tags: ['timekeeping'], response: pageSchema(payRunSchema) })
  async list(@ValidQuery(pageQuerySchema) query: z.infer<typeof pageQuerySchema>) {
    const page = await this.payRuns.list(query);
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:admin')
  @Idempotent()
  @Doc({ summary: 'Record wages paid (coordinators): every approved wage hour through a day not paid yet, at the co-op rate of its day; those entries are locked from then on', tags: ['timekeeping'], response: payRunWithWorkersSchema, status: 201 })
  async create(@ValidBody(createSchema) body: z.infer<typeof createSchema>) {
    return toViewDto(await this.payRuns.create(body));
  }
}
