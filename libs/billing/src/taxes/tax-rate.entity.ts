import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A sales tax rate from a day on (GST, QST); the one in force is the latest not after the day. */
@Entity('tax_rates')
@Index('tax_rates_tax_effective_key', ['tax', 'effectiveFrom'], { unique: true })
@Check('tax_rates_tax_check', `"tax" IN ('gst', 'qst')`)
@Check('tax_rates_rate_check', `"rate" >= 0 AND "rate" < 1`)
@Check('tax_rates_base_check', `"tax" = 'qst' OR NOT "base_includes_gst"`)
export class TaxRate {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  tax!: 'gst' | 'qst';

  @Column({ type: 'date' })
  effectiveFrom!: string;

  /** 0.09975 for 9.975 %. */
  @Column({ type: 'numeric', precision: 7, scale: 6 })
  rate!: string;

  /** The QST was computed on the price plus GST until 2012. */
  @Column({ type: 'boolean', default: false })
  baseIncludesGst!: boolean;
}
