import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Organization, type Locale } from '@ruche/core';
import { bigintNumber } from '@ruche/accounting';

export const INVOICE_STATUSES = ['draft', 'posted', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export type DocumentKind = 'invoice' | 'credit_note';

/**
 * An invoice or a credit note. Drafts change freely; posting numbers it gaplessly in its
 * series and freezes it: from then on a trigger refuses any change but its status moving on
 * (posted → paid or void), and any delete.
 */
@Entity('invoices')
@Index('invoices_organization_idx', ['organizationId', 'id'])
@Index('invoices_period_key', ['organizationId', 'billingPeriod'], { unique: true, where: `"billing_period" IS NOT NULL` })
@Index('invoices_series_sequence_key', ['series', 'sequence'], { unique: true })
@Index('invoices_number_key', ['number'], { unique: true })
@Index('invoices_updated_idx', ['updatedAt'])
@Index('invoices_run_idx', ['billingRunId'], { where: `"billing_run_id" IS NOT NULL` })
@Index('invoices_credits_idx', ['creditsInvoiceId'], { where: `"credits_invoice_id" IS NOT NULL` })
@Check('invoices_status_check', `"status" IN ('draft', 'posted', 'paid', 'void')`)
@Check('invoices_kind_check', `"kind" IN ('invoice', 'credit_note')`)
@Check('invoices_numbered_check', `("status" = 'draft') = ("number" IS NULL) AND ("number" IS NULL) = ("sequence" IS NULL) AND ("number" IS NULL) = ("series" IS NULL)`)
@Check('invoices_credit_note_check', `("kind" = 'credit_note') = ("credits_invoice_id" IS NOT NULL)`)
@Check('invoices_totals_check', `"subtotal_cents" = "taxable_cents" + "zero_rated_cents" + "exempt_cents" AND "total_cents" = "subtotal_cents" + "gst_cents" + "qst_cents" AND "gst_cents" >= 0 AND "qst_cents" >= 0`)
@Check('invoices_locale_check', `"locale" IN ('fr', 'en')`)
@Check('invoices_dates_check', `"due_date" >= "issue_date"`)
export class Invoice {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'invoices_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'text', default: 'invoice' })
  kind!: DocumentKind;

  @Column({ type: 'text', default: 'draft' })
  status!: InvoiceStatus;

  /** `invoice:2026`: numbers run gaplessly within a series. */
  @Column({ type: 'text', nullable: true })
  series!: string | null;

  @Column({ type: 'integer', nullable: true })
  sequence!: number | null;

  @Column({ type: 'text', nullable: true })
  number!: string | null;

  @Column({ type: 'date' })
  issueDate!: string;

  @Column({ type: 'date' })
  dueDate!: string;

  /** The credit note's invoice. */
  @Column({ type: 'uuid', nullable: true })
  creditsInvoiceId!: string | null;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'credits_invoice_id', foreignKeyConstraintName: 'invoices_credits_invoice_fk' })
  creditsInvoice?: Relation<Invoice>;

  @Column({ type: 'uuid', nullable: true })
  billingRunId!: string | null;

  /** `2026-11` for an invoice a billing run made: one per organisation and period. */
  @Column({ type: 'text', nullable: true })
  billingPeriod!: string | null;

  /** Snapshots at posting: what the document says stays what it said. */
  @Column({ type: 'text' })
  customerName!: string;

  @Column({ type: 'text' })
  locale!: Locale;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  taxableCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  zeroRatedCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  exemptCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  subtotalCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  gstCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  qstCents!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  totalCents!: number;

  @Column({ type: 'numeric', precision: 7, scale: 6, nullable: true })
  gstRate!: string | null;

  @Column({ type: 'numeric', precision: 7, scale: 6, nullable: true })
  qstRate!: string | null;

  @Column({ type: 'text', nullable: true })
  taxExemptionReason!: string | null;

  @Column({ type: 'text', nullable: true })
  taxExemptionNumber!: string | null;

  @Column({ type: 'text', nullable: true })
  memo!: string | null;

  @Column({ type: 'uuid', nullable: true })
  journalEntryId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  voidEntryId!: string | null;

  /** SHA-256 of the document as posted; the consistency check recomputes it. */
  @Column({ type: 'text', nullable: true })
  contentHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  postedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
