import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The next number of each series; its row lock serialises postings, so numbers have no gap. */
@Entity('invoice_number_series')
@Check('invoice_number_series_next_check', `"next_sequence" >= 1`)
export class InvoiceNumberSeries {
  @PrimaryColumn({ type: 'text' })
  series!: string;

  @Column({ type: 'integer' })
  nextSequence!: number;
}
