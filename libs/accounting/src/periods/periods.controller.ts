import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, Idempotent, ValidBody } from '@ruche/core';
import { z } from 'zod';
import { parseMonth } from './months.js';
import { PeriodsService } from './periods.service.js';

const monthSchema = z.string().transform((value, ctx) => {
  const month = parseMonth(value);
  if (!month) {
    ctx.addIssue({ code: 'custom', message: 'validation.month_invalid' });
    return z.NEVER;
  }
  return month;
});

const closedPeriodSchema = z.object({ month: z.string(), closedAt: z.iso.datetime(), closedBy: z.string().nullable() });

const toDto = (period: { month: string; closedAt: Date; closedBy: string | null }) => ({
  month: period.month.slice(0, 7),
  closedAt: period.closedAt.toISOString(),
  closedBy: period.closedBy,
});

@Controller(apiPath('accounting/closed-periods'))
export class PeriodsController {
  constructor(private readonly periods: PeriodsService) {}

  @Get()
  @Authorize('accounting:read')
  @Doc({ summary: 'Closed months', tags: ['accounting'], response: z.object({ data: z.array(closedPeriodSchema) }) })
  async list() {
    return { data: (await this.periods.list()).map(toDto) };
  }

  @Post()
  @Authorize('accounting:write')
  @Idempotent()
  @Doc({ summary: 'Close a month (accountants): nothing can be posted into it afterwards', tags: ['accounting'], response: closedPeriodSchema, status: 201 })
  async close(@ValidBody(z.strictObject({ month: monthSchema })) body: { month: string }) {
    return toDto(await this.periods.close(body.month));
  }
}
