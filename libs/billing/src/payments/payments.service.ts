import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, assertStaffScope, AuditService, Conflict, I18nService, NotFound, newId, Organization, paginate, TransactionalConnection, visibleOrganizationIds, type Page, type PageQuery } from '@ruche/core';
import { ACCOUNTS, centsToDecimal, LedgerService, type PostingLine } from '@ruche/accounting';
import { In } from 'typeorm';
import { Invoice } from '../invoices/invoice.entity.js';
import { InvoicesService } from '../invoices/invoices.service.js';
import { PostingService } from '../invoices/posting.service.js';
import { formatMoney } from '../shared/format.js';
import { Payment, PaymentAllocation, PAYMENT_METHODS } from './payment.entity.js';

export interface AllocationInput {
  invoiceId: string;
  amountCents: number;
}

/**
 * Payments and their allocation to invoices. Each posts its entry: the bank against the
 * customer's receivable for what is allocated and the customer's credit for the rest; a later
 * allocation moves money from that credit to the receivable.
 */
@Injectable()
export class PaymentsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly ledger: LedgerService,
    private readonly invoices: InvoicesService,
    private readonly posting: PostingService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
  ) {}

  async record(input: { organizationId: string; method: (typeof PAYMENT_METHODS)[number]; reference: string; amountCents: number; receivedOn: string; allocations: AllocationInput[]; bankLineId?: string | null; whenClosed?: 'refuse' | 'next_open' }): Promise<Payment> {
    assertStaffScope('billing:write');
    const organization = await this.db.getRepository(Organization).findOneBy({ id: input.organizationId });
    if (!organization) throw new NotFound();
    const id = newId();
    const allocated = await this.checkAllocations(input.organizationId, input.allocations, input.amountCents);
    const lines: PostingLine[] = [{ account: ACCOUNTS.bank, debitCents: input.amountCents }];
    if (allocated > 0) lines.push({ account: ACCOUNTS.receivables, creditCents: allocated, partyId: input.organizationId });
    if (input.amountCents > allocated) lines.push({ account: ACCOUNTS.customerCredits, creditCents: input.amountCents - allocated, partyId: input.organizationId });
    const entry = await this.ledger.post({ date: input.receivedOn, description: this.posting.journalText('payment', { reference: input.reference, customer: organization.name }), source: { type: 'payment', id }, lines, whenClosed: input.whenClosed ?? 'refuse' });
    await this.db.getRepository(Payment).insert({
      id,
      organizationId: input.organizationId,
      method: input.method,
      reference: input.reference,
      amountCents: input.amountCents,
      receivedOn: input.receivedOn,
      bankLineId: input.bankLineId ?? null,
      journalEntryId: entry.id,
    });
    await this.insertAllocations(id, input.allocations, input.receivedOn, null);
    await this.audit.record({ action: 'payment.record', targetType: 'payment', targetId: id, organizationId: input.organizationId, after: { method: input.method, reference: input.reference, amountCents: input.amountCents, allocations: input.allocations } });
    return this.db.getRepository(Payment).findOneByOrFail({ id });
  }

  /** Allocates what a payment still holds (the customer's credit) to invoices. */
  async allocate(paymentId: string, allocations: AllocationInput[], on: string, whenClosed: 'refuse' | 'next_open' = 'refuse'): Promise<Payment> {
    assertStaffScope('billing:write');
    const payment = await this.db.getRepository(Payment).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :paymentId', { paymentId }).getOne();
    if (!payment) throw new NotFound();
    const [used] = await this.db.query<{ sum: string }>(`SELECT coalesce(sum(amount_cents), 0) AS sum FROM payment_allocations WHERE payment_id = $1`, [paymentId]);
    const allocated = await this.checkAllocations(payment.organizationId, allocations, payment.amountCents - Number(used!.sum));
    const sourceId = newId();
    const entry = await this.ledger.post({
      date: on,
      description: this.posting.journalText('allocation', { reference: payment.reference, customer: (await this.db.getRepository(Organization).findOneByOrFail({ id: payment.organizationId })).name }),
      source: { type: 'allocation', id: sourceId },
      lines: [
        { account: ACCOUNTS.customerCredits, debitCents: allocated, partyId: payment.organizationId },
        { account: ACCOUNTS.receivables, creditCents: allocated, partyId: payment.organizationId },
      ],
      whenClosed,
    });
    await this.insertAllocations(paymentId, allocations, on, entry.id);
    await this.audit.record({ action: 'payment.allocate', targetType: 'payment', targetId: paymentId, organizationId: payment.organizationId, after: { allocations } });
    return payment;
  }

  /** Locks the invoices and checks each allocation fits what it owes and the total what the payment holds. */
  private async checkAllocations(organizationId: string, allocations: AllocationInput[], available: number): Promise<number> {
    const total = allocations.reduce((sum, allocation) => sum + allocation.amountCents, 0);
    if (allocations.length === 0) return 0;
    const locale = this.i18n.locale;
    if (total > available) throw new Conflict('allocation_exceeds_payment', { amount: formatMoney(total, locale), available: formatMoney(available, locale) });
    const invoices = await this.db.getRepository(Invoice).createQueryBuilder('i').setLock('pessimistic_write').where('i.id IN (:...ids)', { ids: allocations.map((a) => a.invoiceId) }).orderBy('i.id').getMany();
    const settled = await this.invoices.settlements(invoices.map((invoice) => invoice.id));
    for (const allocation of allocations) {
      const invoice = invoices.find((candidate) => candidate.id === allocation.invoiceId);
      if (!invoice) throw new NotFound();
      if (invoice.organizationId !== organizationId) throw new Conflict('allocation_wrong_customer', { number: invoice.number ?? invoice.id });
      if (invoice.kind !== 'invoice' || invoice.status !== 'posted') throw new Conflict('invoice_not_posted', { status: invoice.status });
      const balance = InvoicesService.balanceCents(invoice, settled.get(invoice.id)!);
      const asked = allocations.filter((a) => a.invoiceId === invoice.id).reduce((sum, a) => sum + a.amountCents, 0);
      if (asked > balance) throw new Conflict('allocation_exceeds_balance', { amount: formatMoney(asked, locale), number: invoice.number!, balance: formatMoney(balance, locale) });
    }
    return total;
  }

  private async insertAllocations(paymentId: string, allocations: AllocationInput[], on: string, journalEntryId: string | null): Promise<void> {
    if (allocations.length === 0) return;
    await this.db.getRepository(PaymentAllocation).insert(allocations.map((allocation) => ({ id: newId(), paymentId, invoiceId: allocation.invoiceId, amountCents: allocation.amountCents, allocatedOn: on, journalEntryId })));
    for (const invoiceId of new Set(allocations.map((allocation) => allocation.invoiceId))) await this.posting.settleIfPaid(invoiceId);
  }

  async visible(id: string): Promise<Payment> {
    const payment = await this.db.getRepository(Payment).findOneBy({ id });
    if (!payment) throw new NotFound();
    assertOrganizationAccess('billing:read', payment.organizationId);
    return payment;
  }

  async list(query: PageQuery & { organizationId?: string | undefined }): Promise<Page<Payment>> {
    const qb = this.db.getRepository(Payment).createQueryBuilder('p');
    const visible = visibleOrganizationIds('billing:read');
    if (visible !== 'all') qb.andWhere('p.organizationId = ANY(:visible::uuid[])', { visible });
    if (query.organizationId) qb.andWhere('p.organizationId = :organizationId', { organizationId: query.organizationId });
    return paginate(qb, query);
  }

  async toDtos(payments: Payment[]) {
    const allocations = payments.length ? await this.db.getRepository(PaymentAllocation).find({ where: { paymentId: In(payments.map((p) => p.id)) }, order: { id: 'ASC' } }) : [];
    const numbers = new Map(
      allocations.length ? (await this.db.getRepository(Invoice).find({ select: { id: true, number: true }, where: { id: In(allocations.map((a) => a.invoiceId)) } })).map((i) => [i.id, i.number]) : [],
    );
    return payments.map((payment) => {
      const mine = allocations.filter((allocation) => allocation.paymentId === payment.id);
      const allocated = mine.reduce((sum, allocation) => sum + allocation.amountCents, 0);
      return {
        id: payment.id,
        organizationId: payment.organizationId,
        method: payment.method,
        reference: payment.reference,
        amount: centsToDecimal(payment.amountCents),
        receivedOn: payment.receivedOn,
        allocated: centsToDecimal(allocated),
        unallocated: centsToDecimal(payment.amountCents - allocated),
        allocations: mine.map((allocation) => ({ invoiceId: allocation.invoiceId, invoiceNumber: numbers.get(allocation.invoiceId) ?? null, amount: centsToDecimal(allocation.amountCents), allocatedOn: allocation.allocatedOn })),
        createdAt: payment.createdAt.toISOString(),
      };
    });
  }
}
