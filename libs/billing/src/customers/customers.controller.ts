import { Controller, Get, Put, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, ValidBody, ValidQuery } from '@ruche/core';
import { centsToDecimal, csvOr, toCsv, withDecimals } from '@ruche/accounting';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { BillingReportsService } from '../reports/billing-reports.service.js';
import { ProfilesService } from './profiles.service.js';

const profileSchema = z.object({
  organizationId: z.string(),
  billingEmail: z.string().nullable(),
  taxExempt: z.boolean(),
  exemptionReason: z.string().nullable(),
  exemptionNumber: z.string().nullable(),
});

const updateProfileSchema = z
  .strictObject({
    billingEmail: z.email().max(254).nullable().optional(),
    taxExempt: z.boolean().optional(),
    exemptionReason: z.string().trim().min(1).max(300).nullable().optional(),
    exemptionNumber: z.string().trim().min(1).max(60).nullable().optional(),
  })
  .refine((body) => body.taxExempt !== true || (body.exemptionReason && body.exemptionNumber), { message: 'validation.exemption_incomplete', path: ['exemptionReason'] });

const statementSchema = z.object({
  organizationId: z.string(),
  name: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  openingBalance: z.string(),
  lines: z.array(z.object({ date: z.string(), kind: z.string(), documentId: z.string(), description: z.string(), amount: z.string(), balance: z.string() })),
  closingBalance: z.string(),
});

/** An organisation's billing: its profile (contact, tax exemption) and its statement. */
@Controller(apiPath('organizations'))
export class CustomersController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly reports: BillingReportsService,
  ) {}

  @Get(':id/billing-profile')
  @Authorize('billing:read')
  @Doc({ summary: "An organisation's billing contact and tax exemption", tags: ['billing'], response: profileSchema })
  get(@IdParam() id: string) {
    return this.profiles.get(id);
  }

  @Put(':id/billing-profile')
  @Authorize('billing:write')
  @Doc({ summary: "Set an organisation's billing contact, or its tax exemption with reason and number (staff)", tags: ['billing'], response: profileSchema })
  update(@IdParam() id: string, @ValidBody(updateProfileSchema) body: z.infer<typeof updateProfileSchema>) {
    return this.profiles.update(id, body);
  }

  @Get(':id/statement')
  @Authorize('billing:read')
  @Doc({ summary: "A customer's statement: invoices, credit notes and payments with a running balance (JSON or CSV)", tags: ['billing'], response: statementSchema })
  async statement(@IdParam() id: string, @ValidQuery(z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), format: z.enum(['json', 'csv']).default('json') })) query: { from?: string; to?: string; format: 'json' | 'csv' }, @Res({ passthrough: true }) reply: FastifyReply) {
    const statement = await this.reports.statement(id, query.from, query.to);
    return csvOr(reply, query.format, 'statement', () => withDecimals(statement), () =>
      toCsv(['date', 'kind', 'document', 'description', 'amount', 'balance'], statement.lines.map((l) => [l.date, l.kind, l.documentId, l.description, centsToDecimal(l.amountCents), centsToDecimal(l.balanceCents)])),
    );
  }
}
