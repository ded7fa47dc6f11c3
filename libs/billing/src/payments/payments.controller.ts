import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import { centsToDecimal } from '@ruche/accounting';
import { moneySchema } from '../invoices/invoice.schemas.js';
import { BankStatementLine } from './bank-statement-line.entity.js';
import { BankStatementsService } from './bank-statements.service.js';
import { PAYMENT_METHODS } from './payment.entity.js';
import { PaymentsService } from './payments.service.js';
import { today } from '../invoices/invoices.service.js';

const cents = (value: string) => {
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};
const positiveMoney = moneySchema.transform(cents).refine((value) => value > 0, { message: 'validation.decimal_invalid' });
const allocationsSchema = z.array(z.strictObject({ invoiceId: z.uuid(), amount: positiveMoney })).max(200);

export const recordPaymentSchema = z.strictObject({
  organizationId: z.uuid(),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string().trim().min(1).max(200),
  amount: positiveMoney,
  receivedOn: z.iso.date(),
  allocations: allocationsSchema.default([]),
  /** Received in a closed month: `refuse` (409 period_closed) or `next_open` (its entry dated in the next open month). */
  whenClosed: z.enum(['refuse', 'next_open']).default('refuse'),
});

const paymentSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string(),
  amount: z.string(),
  receivedOn: z.string(),
  allocated: z.string(),
  unallocated: z.string().describe("the customer's credit"),
  allocations: z.array(z.object({ invoiceId: z.string(), invoiceNumber: z.string().nullable(), amount: z.string(), allocatedOn: z.string() })),
  createdAt: z.string(),
});

const bankLineSchema = z.object({
  id: z.string(),
  importId: z.string(),
  date: z.string(),
  amount: z.string(),
  description: z.string(),
  status: z.enum(['unmatched', 'proposed', 'confirmed', 'ignored']),
  proposedInvoiceId: z.string().nullable(),
  matchReason: z.enum(['number', 'amount']).nullable(),
  paymentId: z.string().nullable(),
});

const toBankLineDto = (line: BankStatementLine): z.infer<typeof bankLineSchema> => ({
  id: line.id,
  importId: line.importId,
  date: line.lineDate,
  amount: centsToDecimal(line.amountCents),
  description: line.description,
  status: line.status,
  proposedInvoiceId: line.proposedInvoiceId,
  matchReason: line.matchReason,
  paymentId: line.paymentId,
});

@Controller(apiPath('payments'))
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Record a payment (staff; send an Idempotency-Key) and allocate it to invoices; what is left is the customer’s credit', tags: ['payments'], response: paymentSchema, status: 201 })
  async record(@ValidBody(recordPaymentSchema) body: z.infer<typeof recordPaymentSchema>) {
    const payment = await this.payments.record({ ...body, amountCents: body.amount, allocations: body.allocations.map((a) => ({ invoiceId: a.invoiceId, amountCents: a.amount })) });
    return (await this.payments.toDtos([payment]))[0];
  }

  @Get()
  @Authorize('billing:read')
  @Doc({ summary: 'Payments you can see', tags: ['payments'], response: pageSchema(paymentSchema) })
  async list(@ValidQuery(pageQuerySchema.extend({ organizationId: z.uuid().optional() })) query: z.infer<typeof pageQuerySchema> & { organizationId?: string }) {
    const page = await this.payments.list(query);
    return { data: await this.payments.toDtos(page.data), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authorize('billing:read')
  @Doc({ summary: 'One payment and its allocations', tags: ['payments'], response: paymentSchema })
  async get(@IdParam() id: string) {
    return (await this.payments.toDtos([await this.payments.visible(id)]))[0];
  }

  @Post(':id/allocations')
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: "Allocate what a payment still holds to invoices (staff)", tags: ['payments'], response: paymentSchema, status: 201 })
  async allocate(
    @IdParam() id: string,
    @ValidBody(z.strictObject({ allocations: allocationsSchema.min(1), on: z.iso.date().optional(), whenClosed: z.enum(['refuse', 'next_open']).default('refuse') }))
    body: { allocations: Array<{ invoiceId: string; amount: number }>; on?: string; whenClosed: 'refuse' | 'next_open' },
  ) {
    const payment = await this.payments.allocate(id, body.allocations.map((a) => ({ invoiceId: a.invoiceId, amountCents: a.amount })), body.on ?? today(), body.whenClosed);
    return (await this.payments.toDtos([payment]))[0];
  }
}

@Controller(apiPath('bank-statements'))
export class BankStatementsController {
  constructor(private readonly statements: BankStatementsService) {}

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Import a bank statement (staff): CSV text of date, amount, description; each deposit gets a proposed open invoice', tags: ['payments'], response: z.object({ data: z.array(bankLineSchema) }), status: 201 })
  async import(@ValidBody(z.strictObject({ csv: z.string().min(1).max(500_000) })) body: { csv: string }) {
    return { data: (await this.statements.import(body.csv)).map(toBankLineDto) };
  }
}

@Controller(apiPath('bank-statement-lines'))
export class BankStatementLinesController {
  constructor(private readonly statements: BankStatementsService) {}

  @Get()
  @Authorize('billing:read')
  @Doc({ summary: 'Imported bank lines (staff), by status', tags: ['payments'], response: pageSchema(bankLineSchema) })
  async list(@ValidQuery(pageQuerySchema.extend({ status: z.enum(['unmatched', 'proposed', 'confirmed', 'ignored']).optional() })) query: z.infer<typeof pageQuerySchema> & { status?: BankStatementLine['status'] }) {
    const page = await this.statements.list(query);
    return { data: page.data.map(toBankLineDto), nextCursor: page.nextCursor };
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Authorize('billing:write')
  @Doc({ summary: 'Confirm a bank line as the payment of an invoice (the proposed one, or the one given): records the payment', tags: ['payments'], response: bankLineSchema, status: 200 })
  async confirm(@IdParam() id: string, @ValidBody(z.strictObject({ invoiceId: z.uuid().optional(), whenClosed: z.enum(['refuse', 'next_open']).default('refuse') })) body: { invoiceId?: string; whenClosed: 'refuse' | 'next_open' }) {
    return toBankLineDto(await this.statements.confirm(id, body.invoiceId, body.whenClosed));
  }

  @Post(':id/ignore')
  @HttpCode(200)
  @Authorize('billing:write')
  @Doc({ summary: 'Set a bank line aside (staff): it pays no invoice', tags: ['payments'], response: bankLineSchema, status: 200 })
  async ignore(@IdParam() id: string) {
    return toBankLineDto(await this.statements.ignore(id));
  }
}
