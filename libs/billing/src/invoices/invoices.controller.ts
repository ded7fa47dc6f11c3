import { Controller, Delete, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, TransactionalConnection, ValidBody, ValidQuery } from '@ruche/core';
import { centsToDecimal, csvOr, toCsv } from '@ruche/accounting';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { InvoiceLine } from './invoice-line.entity.js';
import { addLinesSchema, creditNoteSchema, createInvoiceSchema, invoiceLineSchema, invoiceSchema, listInvoicesSchema, postInvoiceSchema, updateInvoiceSchema, voidInvoiceSchema, type ListInvoicesQuery } from './invoice.schemas.js';
import { InvoiceDocumentsService } from './invoice-documents.service.js';
import { InvoicesService } from './invoices.service.js';
import { PostingService } from './posting.service.js';

const INVOICE_CSV = ['id', 'number', 'kind', 'status', 'organization_id', 'customer', 'issue_date', 'due_date', 'billing_period', 'subtotal', 'gst', 'qst', 'total', 'paid', 'credited', 'balance', 'credits_invoice_id', 'updated_at'];
const LINE_CSV = ['invoice_id', 'invoice_number', 'position', 'kind', 'description', 'quantity', 'unit_price', 'amount', 'tax_code', 'account', 'period_start', 'period_end', 'source_kind', 'source_id'];

@Controller(apiPath('invoices'))
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly posting: PostingService,
    private readonly documents: InvoiceDocumentsService,
  ) {}

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Make a draft invoice by hand (staff): lines typed or picked from the catalogue (itemCode)', tags: ['invoices'], response: invoiceSchema, status: 201 })
  async create(@ValidBody(createInvoiceSchema) body: z.infer<typeof createInvoiceSchema>) {
    return (await this.invoices.toDtos([await this.invoices.createDraft(body)], true))[0];
  }

  @Get()
  @Authorize('billing:read')
  @Doc({ summary: 'Invoices and credit notes you can see, filtered by period, status, customer, updatedSince (JSON pages, or all as CSV with format=csv)', tags: ['invoices'], response: pageSchema(invoiceSchema) })
  async list(@ValidQuery(listInvoicesSchema) query: ListInvoicesQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    if (query.format === 'csv') {
      const rows = await this.invoices.query(query).orderBy('i.id').getMany();
      const dtos = await this.invoices.toDtos(rows, false);
      return csvOr(reply, 'csv', 'invoices', () => null, () =>
        toCsv(INVOICE_CSV, dtos.map((i) => [i.id, i.number, i.kind, i.status, i.organizationId, i.customerName, i.issueDate, i.dueDate, i.billingPeriod, i.subtotal, i.taxes[0]!.amount, i.taxes[1]!.amount, i.total, i.paid, i.credited, i.balance, i.creditsInvoiceId, i.updatedAt])),
      );
    }
    const page = await this.invoices.list(query);
    const dtos = await this.invoices.toDtos(page.data, false);
    return { data: dtos, nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Authorize('billing:read')
  @Doc({ summary: 'One invoice or credit note with its lines, taxes, total and balance', tags: ['invoices'], response: invoiceSchema })
  async get(@IdParam() id: string) {
    return (await this.invoices.toDtos([await this.invoices.visible(id)], true))[0];
  }

  @Patch(':id')
  @Authorize('billing:write')
  @Doc({ summary: 'Change a draft (staff): dates, memo, or all its lines', tags: ['invoices'], response: invoiceSchema })
  async update(@IdParam() id: string, @ValidBody(updateInvoiceSchema) body: z.infer<typeof updateInvoiceSchema>) {
    return (await this.invoices.toDtos([await this.invoices.updateDraft(id, body)], true))[0];
  }

  @Post(':id/lines')
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: "Add lines to a draft (staff), typed or from the catalogue (itemCode), after its own: the lines it has are kept as they are", tags: ['invoices'], response: invoiceSchema, status: 201 })
  async addLines(@IdParam() id: string, @ValidBody(addLinesSchema) body: z.infer<typeof addLinesSchema>) {
    return (await this.invoices.toDtos([await this.invoices.addDraftLines(id, body.lines)], true))[0];
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('billing:write')
  @Doc({ summary: 'Delete a draft (staff); lines from elsewhere go back to wait for the next run', tags: ['invoices'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.invoices.deleteDraft(id);
  }

  @Post(':id/post')
  @HttpCode(200)
  @Authorize('billing:write')
  @Doc({ summary: 'Post a draft (staff): next number of its series, journal entry, frozen, e-mailed with its PDF', tags: ['invoices'], response: invoiceSchema, status: 200 })
  async post(@IdParam() id: string, @ValidBody(postInvoiceSchema) body: z.infer<typeof postInvoiceSchema>) {
    return (await this.invoices.toDtos([await this.posting.post(id, body)], true))[0];
  }

  @Post(':id/void')
  @HttpCode(200)
  @Authorize('billing:write')
  @Doc({ summary: 'Void a posted invoice nothing was paid on or credited to (staff): its entry is reversed', tags: ['invoices'], response: invoiceSchema, status: 200 })
  async void(@IdParam() id: string, @ValidBody(voidInvoiceSchema) body: z.infer<typeof voidInvoiceSchema>) {
    return (await this.invoices.toDtos([await this.posting.void(id, body)], true))[0];
  }

  @Post(':id/credit-notes')
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Credit a posted invoice (staff), in whole or with given lines: the credit note is posted with its reversing entry', tags: ['invoices'], response: invoiceSchema, status: 201 })
  async creditNote(@IdParam() id: string, @ValidBody(creditNoteSchema) body: z.infer<typeof creditNoteSchema>) {
    return (await this.invoices.toDtos([await this.posting.creditNote(id, body)], true))[0];
  }

  @Get(':id/pdf')
  @Authorize('billing:read')
  @Doc({ summary: 'The invoice as a PDF, in the customer’s language' , tags: ['invoices'] })
  async pdf(@IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const { filename, content } = await this.documents.pdfOf(id);
    reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${filename}"`);
    return content;
  }
}

@Controller(apiPath('invoice-lines'))
export class InvoiceLinesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly db: TransactionalConnection,
  ) {}

  @Get()
  @Authorize('billing:read')
  @Doc({ summary: 'Lines of the invoices you can see, with the invoice filters (JSON, or CSV with format=csv)', tags: ['invoices'], response: z.object({ data: z.array(invoiceLineSchema.extend({ invoiceId: z.string(), invoiceNumber: z.string().nullable() })) }) })
  async list(@ValidQuery(listInvoicesSchema.omit({ limit: true, cursor: true })) query: Omit<ListInvoicesQuery, 'limit' | 'cursor'>, @Res({ passthrough: true }) reply: FastifyReply) {
    const invoices = await this.invoices.query(query).select(['i.id', 'i.number']).orderBy('i.id').getMany();
    const numbers = new Map(invoices.map((invoice) => [invoice.id, invoice.number]));
    const lines = invoices.length
      ? await this.db.getRepository(InvoiceLine).createQueryBuilder('l').where('l.invoiceId = ANY(:ids::uuid[])', { ids: [...numbers.keys()] }).orderBy('l.invoiceId').addOrderBy('l.position').getMany()
      : [];
    return csvOr(
      reply,
      query.format,
      'invoice-lines',
      () => ({
        data: lines.map((l) => ({ id: l.id, invoiceId: l.invoiceId, invoiceNumber: numbers.get(l.invoiceId) ?? null, position: l.position, kind: l.kind, description: l.description, quantity: l.quantity, unitPrice: l.unitPrice, amount: centsToDecimal(l.amountCents), taxCode: l.taxCode, periodStart: l.periodStart, periodEnd: l.periodEnd, itemCode: l.itemCode, sourceKind: l.sourceKind, sourceId: l.sourceId })),
      }),
      () => toCsv(LINE_CSV, lines.map((l) => [l.invoiceId, numbers.get(l.invoiceId), l.position, l.kind, l.description, l.quantity, l.unitPrice, centsToDecimal(l.amountCents), l.taxCode, l.accountCode, l.periodStart, l.periodEnd, l.sourceKind, l.sourceId])),
    );
  }
}
