import { Controller, Get, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, ValidQuery } from '@ruche/core';
import { centsToDecimal, csvOr, toCsv, withDecimals } from '@ruche/accounting';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { BillingReportsService } from './billing-reports.service.js';

const money = z.string();
const buckets = { current: money, days1to30: money, days31to60: money, days61to90: money, over90: money, total: money };
const agingSchema = z.object({ at: z.string(), customers: z.array(z.object({ organizationId: z.string(), name: z.string(), ...buckets })), totals: z.object(buckets) });
const salesTaxSchema = z.object({
  from: z.string(),
  to: z.string(),
  taxableSales: money,
  zeroRatedSales: money,
  exemptSales: money,
  salesToExemptCustomers: money,
  gstCollected: money,
  qstCollected: money,
  invoices: z.number(),
  creditNotes: z.number(),
});
const format = z.enum(['json', 'csv']).default('json');

/** Reports built from invoices, read by every worker like the rest of the co-op's books. */
@Controller(apiPath('accounting/reports'))
export class BillingReportsController {
  constructor(private readonly reports: BillingReportsService) {}

  @Get('receivables-aging')
  @Authorize('accounting:read')
  @Doc({ summary: 'Receivables aging per customer at a date: current, 1–30, 31–60, 61–90 and over 90 days past due (JSON or CSV)', tags: ['reports'], response: agingSchema })
  async aging(@ValidQuery(z.object({ at: z.iso.date().optional(), format })) query: { at?: string; format: 'json' | 'csv' }, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.aging(query.at);
    return csvOr(reply, query.format, 'receivables-aging', () => withDecimals(report), () =>
      toCsv(['organization_id', 'customer', 'current', '1-30', '31-60', '61-90', 'over_90', 'total'], report.customers.map((c) => [c.organizationId, c.name, centsToDecimal(c.currentCents), centsToDecimal(c.days1to30Cents), centsToDecimal(c.days31to60Cents), centsToDecimal(c.days61to90Cents), centsToDecimal(c.over90Cents), centsToDecimal(c.totalCents)])),
    );
  }

  @Get('sales-tax')
  @Authorize('accounting:read')
  @Doc({ summary: 'GST/QST return for a period: taxable, zero-rated and exempt sales, each tax collected, credit notes deducted (JSON or CSV)', tags: ['reports'], response: salesTaxSchema })
  async salesTax(@ValidQuery(z.object({ from: z.iso.date(), to: z.iso.date(), format })) query: { from: string; to: string; format: 'json' | 'csv' }, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.salesTaxReturn(query.from, query.to);
    return csvOr(reply, query.format, 'sales-tax', () => withDecimals(report), () =>
      toCsv(['from', 'to', 'taxable_sales', 'zero_rated_sales', 'exempt_sales', 'sales_to_exempt_customers', 'gst_collected', 'qst_collected'], [
        [report.from, report.to, centsToDecimal(report.taxableSalesCents), centsToDecimal(report.zeroRatedSalesCents), centsToDecimal(report.exemptSalesCents), centsToDecimal(report.salesToExemptCustomersCents), centsToDecimal(report.gstCollectedCents), centsToDecimal(report.qstCollectedCents)],
      ]),
    );
  }
}
