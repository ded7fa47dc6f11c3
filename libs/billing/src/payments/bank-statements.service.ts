import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, DomainError, NotFound, newId, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { BankStatementLine } from './bank-statement-line.entity.js';
import { parseBankStatement, proposeMatch, StatementError, type OpenInvoice } from './bank-statement.js';
import { PaymentsService } from './payments.service.js';

/** Bank statement import: each deposit gets a proposed invoice, and a payment once an accountant confirms it. */
@Injectable()
export class BankStatementsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly payments: PaymentsService,
    private readonly audit: AuditService,
  ) {}

  async import(csv: string): Promise<BankStatementLine[]> {
    assertStaffScope('billing:write');
    let parsed;
    try {
      parsed = parseBankStatement(csv);
    } catch (error) {
      if (error instanceof StatementError) throw new DomainError('bank_statement_invalid', 422, { line: error.line, reason: error.reason });
      throw error;
    }
    const open = await this.openInvoices();
    const importId = newId();
    const rows = parsed.map((line) => {
      const match = proposeMatch(line, open);
      return {
        id: newId(),
        importId,
        lineDate: line.date,
        amountCents: line.amountCents,
        description: line.description,
        status: match ? ('proposed' as const) : ('unmatched' as const),
        proposedInvoiceId: match?.invoiceId ?? null,
        matchReason: match?.reason ?? null,
        paymentId: null,
      };
    });
    if (rows.length > 0) await this.db.getRepository(BankStatementLine).insert(rows);
    await this.audit.record({ action: 'bank_statement.import', targetType: 'bank_statement', targetId: importId, after: { lines: rows.length, proposed: rows.filter((row) => row.status === 'proposed').length } });
    return this.db.getRepository(BankStatementLine).find({ where: { importId }, order: { id: 'ASC' } });
  }

  async list(query: PageQuery & { status?: BankStatementLine['status'] | undefined }): Promise<Page<BankStatementLine>> {
    assertStaffScope('billing:read');
    const qb = this.db.getRepository(BankStatementLine).createQueryBuilder('b');
    if (query.status) qb.andWhere('b.status = :status', { status: query.status });
    return paginate(qb, query);
  }

  /** Confirms a line as a payment of an invoice (the proposed one unless another is named); what exceeds its balance stays as the customer's credit. */
  async confirm(lineId: string, invoiceId?: string, whenClosed: 'refuse' | 'next_open' = 'refuse'): Promise<BankStatementLine> {
    assertStaffScope('billing:write');
    const line = await this.db.getRepository(BankStatementLine).createQueryBuilder('b').setLock('pessimistic_write').where('b.id = :lineId', { lineId }).getOne();
    if (!line) throw new NotFound();
    if (line.status === 'confirmed' || line.status === 'ignored') throw new Conflict('bank_line_done', { status: line.status });
    const target = invoiceId ?? line.proposedInvoiceId;
    const invoice = target ? (await this.openInvoices(target))[0] : undefined;
    if (!invoice || line.amountCents <= 0) throw new NotFound();
    const [owner] = await this.db.query<{ organization_id: string }>(`SELECT organization_id FROM invoices WHERE id = $1`, [invoice.id]);
    const payment = await this.payments.record({
      organizationId: owner!.organization_id,
      method: 'transfer',
      reference: line.description.slice(0, 200) || `bank ${line.lineDate}`,
      amountCents: line.amountCents,
      receivedOn: line.lineDate,
      allocations: [{ invoiceId: invoice.id, amountCents: Math.min(line.amountCents, invoice.balanceCents) }],
      bankLineId: line.id,
      whenClosed,
    });
    await this.db.getRepository(BankStatementLine).update({ id: lineId }, { status: 'confirmed', paymentId: payment.id, proposedInvoiceId: invoice.id });
    return this.db.getRepository(BankStatementLine).findOneByOrFail({ id: lineId });
  }

  async ignore(lineId: string): Promise<BankStatementLine> {
    assertStaffScope('billing:write');
    const line = await this.db.getRepository(BankStatementLine).findOneBy({ id: lineId });
    if (!line) throw new NotFound();
    if (line.status === 'confirmed') throw new Conflict('bank_line_done', { status: line.status });
    await this.db.getRepository(BankStatementLine).update({ id: lineId }, { status: 'ignored' });
    await this.audit.record({ action: 'bank_statement.ignore', targetType: 'bank_statement_line', targetId: lineId });
    return this.db.getRepository(BankStatementLine).findOneByOrFail({ id: lineId });
  }

  /** Posted invoices that still owe something (one, when `id` is given). */
  private async openInvoices(id?: string): Promise<OpenInvoice[]> {
    const rows = await this.db.query<{ id: string; number: string; balance: string }>(
      `SELECT i.id, i.number, i.total_cents
              - coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a WHERE a.invoice_id = i.id), 0)
              - coalesce((SELECT sum(c.total_cents) FROM invoices c WHERE c.credits_invoice_id = i.id AND c.status IN ('posted', 'paid')), 0) AS balance
         FROM invoices i WHERE i.kind = 'invoice' AND i.status = 'posted' AND ($1::uuid IS NULL OR i.id = $1)`,
      [id ?? null],
    );
    return rows.map((row) => ({ id: row.id, number: row.number, balanceCents: Number(row.balance) })).filter((invoice) => invoice.balanceCents > 0);
  }
}
