import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import { isoDate } from '../shared/schemas.js';
import type { EligibilityExceptionRow } from './eligibility-exception.entity.js';
import { CRITERIA } from './eligibility.js';
import { EligibilityExceptionsService } from './eligibility-exceptions.service.js';

const exceptionSchema = z.object({ id: z.string(), workerId: z.string(), from: z.string(), to: z.string(), criteria: z.array(z.enum(CRITERIA)), reason: z.string(), grantedBy: z.string(), decidedOn: z.string(), recordedBy: z.string().nullable(), createdAt: z.string() });
const toDto = (x: EligibilityExceptionRow): z.infer<typeof exceptionSchema> => ({ id: x.id, workerId: x.workerId, from: x.fromDate, to: x.toDate, criteria: x.criteria, reason: x.reason, grantedBy: x.grantedBy, decidedOn: x.decidedOn, recordedBy: x.recordedBy, createdAt: x.createdAt.toISOString() });
const createSchema = z
  .strictObject({
    workerId: z.uuid(),
    from: isoDate,
    to: isoDate,
    criteria: z.array(z.enum(CRITERIA)).min(1).max(CRITERIA.length),
    reason: z.string().trim().min(1).max(1000),
    grantedBy: z.string().trim().min(1).max(200).describe('who granted it: the work committee, at which meeting'),
    decidedOn: isoDate,
  })
  .refine((x) => x.from <= x.to, { message: 'validation.span_invalid', path: ['to'] });

@Controller(apiPath('eligibility-exceptions'))
export class EligibilityExceptionsController {
  constructor(private readonly exceptions: EligibilityExceptionsService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Exceptions to the work-committee criteria (justified absences), with who granted them and why', tags: ['timekeeping'], response: pageSchema(exceptionSchema) })
  async list(@ValidQuery(pageQuerySchema.extend({ workerId: z.uuid().optional() })) query: z.infer<typeof pageQuerySchema> & { workerId?: string }) {
    const page = await this.exceptions.list(query);
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:admin')
  @Idempotent()
  @Doc({ summary: 'Record an exception the work committee granted (coordinators): the criteria it waives for a worker over a span', tags: ['timekeeping'], response: exceptionSchema, status: 201 })
  async create(@ValidBody(createSchema) body: z.infer<typeof createSchema>) {
    return toDto(await this.exceptions.create(body));
  }
}
