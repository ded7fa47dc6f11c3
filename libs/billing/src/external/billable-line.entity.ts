import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import type { TaxCode } from '../taxes/taxes.js';
import { InvoiceLine } from '../invoices/invoice-line.entity.js';

/**
 * A line another lib submitted (timekeeping's approved hours), waiting for the organisation's
 * next billing run. Unique by source: submitting it again changes nothing. It is billed when
 * `invoiceLineId` is set, in the transaction that writes that line; deleting a draft frees it.
 */
@Entity('billable_lines')
@Index('billable_lines_source_key', ['sourceKind', 'sourceId'], { unique: true })
@Index('billable_lines_pending_idx', ['organizationId', 'serviceDate'], { where: `"invoice_line_id" IS NULL` })
@Check('billable_lines_source_check', `"source_kind" ~ '^[a-z][a-z0-9_]{0,39}$' AND length("source_id") BETWEEN 1 AND 200`)
@Check('billable_lines_amounts_check', `"quantity" > 0 AND "unit_price" >= 0`)
@Check('billable_lines_tax_code_check', `"tax_code" IN ('taxable', 'zero_rated', 'exempt')`)
export class BillableLine {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'billable_lines_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'text' })
  sourceKind!: string;

  @Column({ type: 'text' })
  sourceId!: string;

  @Column({ type: 'text' })
  descriptionFr!: string;

  @Column({ type: 'text' })
  descriptionEn!: string;

  @Column({ type: 'numeric', precision: 14, scale: 4 })
  quantity!: string;

  @Column({ type: 'numeric', precision: 14, scale: 4 })
  unitPrice!: string;

  @Column({ type: 'text' })
  taxCode!: TaxCode;

  @Column({ type: 'text' })
  accountCode!: string;

  /** Billed in the run whose period ends after this day. */
  @Column({ type: 'date' })
  serviceDate!: string;

  @Column({ type: 'uuid', nullable: true })
  invoiceLineId!: string | null;

  @ManyToOne(() => InvoiceLine, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invoice_line_id', foreignKeyConstraintName: 'billable_lines_invoice_line_fk' })
  invoiceLine?: Relation<InvoiceLine>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
