import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '@ruche/accounting';

/**
 * Wages paid: every approved, paid (not volunteer) entry up to `through` that no earlier run
 * held. Its entries are locked from then on. Append-only.
 */
@Entity('pay_runs')
export class PayRun {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'date' })
  through!: string;

  @Column({ type: 'date' })
  paidOn!: string;

  @Column({ type: 'integer' })
  entries!: number;

  @Column({ type: 'integer' })
  minutes!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  totalCents!: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
