import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { z } from 'zod';
import { CATEGORIES } from '../entries/time-entry.entity.js';
import { checkTarget, entrySchema, toEntryDto } from '../entries/time-entry.schemas.js';
import type { Timer } from './timer.entity.js';
import { TimersService } from './timers.service.js';

const read = { conceal: 'timekeeping:read' } as const;

const timerSchema = z.object({
  id: z.string(),
  workerId: z.string(),
  startedAt: z.string(),
  contractId: z.string().nullable(),
  taskId: z.string().nullable(),
  category: z.enum(CATEGORIES),
  committeeId: z.string().nullable(),
  description: z.string(),
  billable: z.boolean(),
  volunteer: z.boolean(),
});
const toDto = (timer: Timer): z.infer<typeof timerSchema> => ({
  id: timer.id,
  workerId: timer.workerId,
  startedAt: timer.startedAt.toISOString(),
  contractId: timer.contractId,
  taskId: timer.taskId,
  category: timer.category,
  committeeId: timer.committeeId,
  description: timer.description,
  billable: timer.billable,
  volunteer: timer.volunteer,
});

const startSchema = z
  .strictObject({
    contractId: z.uuid().nullable().default(null),
    taskId: z.uuid().nullable().default(null),
    category: z.enum(CATEGORIES).default('work'),
    committeeId: z.uuid().nullable().default(null),
    description: z.string().trim().max(2000).default(''),
    billable: z.boolean().default(false),
    volunteer: z.boolean().default(false),
  })
  .superRefine(checkTarget);

@Controller(apiPath('timers'))
export class TimersController {
  constructor(private readonly timers: TimersService) {}

  @Get()
  @Authorize('timekeeping:read', read)
  @Doc({ summary: 'Running timers: yours (at most one); coordinators and accountants see everyone’s', tags: ['timekeeping'], response: z.object({ data: z.array(timerSchema) }) })
  async list() {
    return { data: (await this.timers.running()).map(toDto) };
  }

  @Post()
  @Authorize('timekeeping:write', read)
  @Idempotent()
  @Doc({ summary: 'Start your timer (one at a time: 409 timer_running while another runs)', tags: ['timekeeping'], response: timerSchema, status: 201 })
  async start(@ValidBody(startSchema) body: z.infer<typeof startSchema>) {
    return toDto(await this.timers.start(body));
  }

  @Post(':id/stop')
  @HttpCode(200)
  @Authorize('timekeeping:write', read)
  @Doc({ summary: 'Stop your timer: the time becomes an entry (rounded like any other) on the day it started', tags: ['timekeeping'], response: entrySchema })
  async stop(@IdParam() id: string, @ValidBody(z.strictObject({ description: z.string().trim().max(2000).optional() })) body: { description?: string }) {
    return toEntryDto(await this.timers.stop(id, body.description));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('timekeeping:write', read)
  @Doc({ summary: 'Discard your running timer: nothing is recorded', tags: ['timekeeping'] })
  async discard(@IdParam() id: string): Promise<void> {
    await this.timers.discard(id);
  }
}
