import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A month accountants closed: nothing is posted into it any more (a trigger refuses it). */
@Entity('closed_periods')
@Check('closed_periods_month_check', `extract(day FROM "month") = 1`)
export class ClosedPeriod {
  /** The first day of the month. */
  @PrimaryColumn({ type: 'date' })
  month!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  closedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  closedBy!: string | null;
}
