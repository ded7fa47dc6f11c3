import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import { isoDate, positiveDecimal2 } from '../shared/schemas.js';
import type { HourlyRate } from './hourly-rate.entity.js';
import { RatesService } from './rates.service.js';

export const rateSchema = z.object({ id: z.string(), contractId: z.string().nullable(), effectiveFrom: z.string(), hourlyRate: z.string().describe('dollars, "21.50"'), createdAt: z.string() });
export const toRateDto = (rate: HourlyRate): z.infer<typeof rateSchema> => ({ id: rate.id, contractId: rate.contractId, effectiveFrom: rate.effectiveFrom, hourlyRate: rate.hourlyRate, createdAt: rate.createdAt.toISOString() });
const createSchema = z.strictObject({ contractId: z.uuid().optional(), effectiveFrom: isoDate, hourlyRate: positiveDecimal2 });
const listQuery = pageQuerySchema.extend({ contractId: z.uuid().optional() });

@Controller(apiPath('rates'))
export class RatesController {
  constructor(private readonly rates: RatesService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Hourly rates, oldest first: the co-op’s single rate (what every worker is paid), or a contract’s with contractId', tags: ['timekeeping'], response: pageSchema(rateSchema) })
  async list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>) {
    const page = await this.rates.list(query);
    return { data: page.data.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)).map(toRateDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:admin')
  @Idempotent()
  @Doc({ summary: 'A new rate from a day on (coordinators): the co-op’s, or a contract’s with contractId. Rows never change; a rate may not start within wages paid or hours billed', tags: ['timekeeping'], response: rateSchema, status: 201 })
  async create(@ValidBody(createSchema) body: z.infer<typeof createSchema>) {
    return toRateDto(await this.rates.create(body));
  }
}
