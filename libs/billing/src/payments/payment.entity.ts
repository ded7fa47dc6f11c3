import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { bigintNumber } from '@ruche/accounting';
import { Invoice } from '../invoices/invoice.entity.js';

export const PAYMENT_METHODS = ['transfer', 'cheque', 'card', 'cash', 'other'] as const;

/** Money received from a customer. Append-only; what is not allocated to invoices is the customer's credit. */
@Entity('payments')
@Index('payments_organization_idx', ['organizationId', 'id'])
@Index('payments_bank_line_key', ['bankLineId'], { unique: true, where: `"bank_line_id" IS NOT NULL` })
@Check('payments_amount_check', `"amount_cents" > 0`)
@Check('payments_method_check', `"method" IN ('transfer', 'cheque', 'card', 'cash', 'other')`)
export class Payment {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'payments_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'text' })
  method!: (typeof PAYMENT_METHODS)[number];

  @Column({ type: 'text' })
  reference!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amountCents!: number;

  @Column({ type: 'date' })
  receivedOn!: string;

  @Column({ type: 'uuid', nullable: true })
  bankLineId!: string | null;

  @Column({ type: 'uuid' })
  journalEntryId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Part of a payment applied to an invoice. Append-only; never more than the payment holds or the invoice owes (checked at commit). */
@Entity('payment_allocations')
@Index('payment_allocations_payment_idx', ['paymentId'])
@Index('payment_allocations_invoice_idx', ['invoiceId'])
@Check('payment_allocations_amount_check', `"amount_cents" > 0`)
export class PaymentAllocation {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  paymentId!: string;

  @ManyToOne(() => Payment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'payment_id', foreignKeyConstraintName: 'payment_allocations_payment_fk' })
  payment?: Relation<Payment>;

  @Column({ type: 'uuid' })
  invoiceId!: string;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'payment_allocations_invoice_fk' })
  invoice?: Relation<Invoice>;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amountCents!: number;

  @Column({ type: 'date' })
  allocatedOn!: string;

  /** The entry that moved it out of customer credits, for allocations made after the payment. */
  @Column({ type: 'uuid', nullable: true })
  journalEntryId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
