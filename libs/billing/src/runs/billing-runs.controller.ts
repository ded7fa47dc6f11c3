import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { BillingRun } from './billing-run.entity.js';
import { BillingRunsService } from './billing-runs.service.js';

export const billingRunSchema = z.object({
  id: z.string(),
  period: z.string(),
  periodStart: z.string(),
  periodEnd: z.string().describe('exclusive'),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  passes: z.number(),
  progress: z.object({ organizationsDone: z.number(), organizationsTotal: z.number(), invoicesCreated: z.number(), alreadyInvoiced: z.number() }),
  posting: z.object({ status: z.string(), invoicesPosted: z.number() }),
  lastError: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  repeated: z.boolean().optional().describe('true when this period had been asked for before: only what is missing is created'),
});

export function toRunDto(run: BillingRun, repeated?: boolean): z.infer<typeof billingRunSchema> {
  return {
    id: run.id,
    period: run.period,
    periodStart: run.periodStart,
    periodEnd: run.periodEnd,
    status: run.status,
    passes: run.passes,
    progress: { organizationsDone: run.organizationsDone, organizationsTotal: run.organizationsTotal, invoicesCreated: run.invoicesCreated, alreadyInvoiced: run.alreadyInvoiced },
    posting: { status: run.postingStatus, invoicesPosted: run.invoicesPosted },
    lastError: run.lastError,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    ...(repeated !== undefined ? { repeated } : {}),
  };
}

@Controller(apiPath('billing-runs'))
export class BillingRunsController {
  constructor(private readonly runs: BillingRunsService) {}

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Bill a period (staff): one draft invoice per organisation, in the background; asking again creates only what is missing, and says so', tags: ['billing'], response: billingRunSchema, status: 201 })
  async start(@ValidBody(z.strictObject({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'validation.period_invalid') })) body: { period: string }, @Res({ passthrough: true }) reply: FastifyReply) {
    const { run, repeated } = await this.runs.start(body.period);
    if (repeated) reply.status(200);
    return toRunDto(run, repeated);
  }

  @Get()
  @Authorize('billing:read')
  @Doc({ summary: 'Billing runs, newest period first (staff)', tags: ['billing'], response: z.object({ data: z.array(billingRunSchema) }) })
  async list() {
    return { data: (await this.runs.list()).map((run) => toRunDto(run)) };
  }

  @Get(':id')
  @Authorize('billing:read')
  @Doc({ summary: 'A billing run and its progress (staff)', tags: ['billing'], response: billingRunSchema })
  async get(@IdParam() id: string) {
    return toRunDto(await this.runs.get(id));
  }

  @Post(':id/post')
  @HttpCode(202)
  @Authorize('billing:write')
  @Doc({ summary: "Post every draft of a run (staff), in the background: numbers, journal entries, mails", tags: ['billing'], response: billingRunSchema, status: 202 })
  async post(@IdParam() id: string, @ValidBody(z.strictObject({ whenClosed: z.enum(['refuse', 'next_open']).default('refuse') })) body: { whenClosed: 'refuse' | 'next_open' }) {
    return toRunDto(await this.runs.postRun(id, body.whenClosed));
  }
}
