import { Controller, Get, Put } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import { WORKER_STATUSES } from './worker.entity.js';
import { WorkersService } from './workers.service.js';

export const workerSchema = z.object({ id: z.string(), displayName: z.string(), status: z.enum(WORKER_STATUSES), active: z.boolean() });
const listQuery = pageQuerySchema.extend({ status: z.enum(WORKER_STATUSES).optional(), active: z.enum(['true', 'false']).transform((value) => value === 'true').optional() });
const updateSchema = z.strictObject({ status: z.enum(WORKER_STATUSES).optional(), active: z.boolean().optional() });

@Controller(apiPath('workers'))
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Workers of the co-op and their standing (member, work-committee member, freelancer)', tags: ['timekeeping'], response: pageSchema(workerSchema) })
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>) {
    return this.workers.list(query);
  }

  @Get(':id')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'One worker (the id is their user id)', tags: ['timekeeping'], response: workerSchema })
  get(@IdParam() id: string) {
    return this.workers.get(id);
  }

  @Put(':id')
  @Authorize('timekeeping:admin')
  @Doc({ summary: 'Set a worker’s standing or mark them as having left (coordinators)', tags: ['timekeeping'], response: workerSchema })
  update(@IdParam() id: string, @ValidBody(updateSchema) body: z.infer<typeof updateSchema>) {
    return this.workers.update(id, body);
  }
}
