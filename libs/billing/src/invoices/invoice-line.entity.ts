import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { bigintNumber } from '@ruche/accounting';
import type { LineKind } from '../runs/draft-lines.js';
import type { TaxCode } from '../taxes/taxes.js';
import { Invoice } from './invoice.entity.js';

/** One line: quantity × unit price = amount (rounded half up to the cent). Frozen with its invoice. */
@Entity('invoice_lines')
@Index('invoice_lines_invoice_position_key', ['invoiceId', 'position'], { unique: true })
@Index('invoice_lines_source_key', ['sourceKind', 'sourceId'], { unique: true, where: `"source_kind" IS NOT NULL` })
@Check('invoice_lines_kind_check', `"kind" IN ('plan', 'metered', 'one_off', 'external', 'manual')`)
@Check('invoice_lines_tax_code_check', `"tax_code" IN ('taxable', 'zero_rated', 'exempt')`)
@Check('invoice_lines_amounts_check', `"quantity" >= 0 AND "unit_price" >= 0 AND "amount_cents" >= 0`)
@Check('invoice_lines_description_check', `length("description") BETWEEN 1 AND 500`)
@Check('invoice_lines_source_check', `("source_kind" IS NULL) = ("source_id" IS NULL)`)
export class InvoiceLine {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  invoiceId!: string;

  @ManyToOne(() => Invoice, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'invoice_lines_invoice_fk' })
  invoice?: Relation<Invoice>;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  kind!: LineKind;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'numeric', precision: 14, scale: 4 })
  quantity!: string;

  @Column({ type: 'numeric', precision: 14, scale: 4 })
  unitPrice!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amountCents!: number;

  @Column({ type: 'text' })
  taxCode!: TaxCode;

  @Column({ type: 'text' })
  accountCode!: string;

  @Column({ type: 'date', nullable: true })
  periodStart!: string | null;

  @Column({ type: 'date', nullable: true })
  periodEnd!: string | null;

  @Column({ type: 'text', nullable: true })
  itemCode!: string | null;

  /** For lines from elsewhere: their kind and id, billed once only (unique). */
  @Column({ type: 'text', nullable: true })
  sourceKind!: string | null;

  @Column({ type: 'text', nullable: true })
  sourceId!: string | null;
}
