import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * A billing run for a period, one per period. It works through organisations in id order,
 * in batches each committed with its `cursor`, so a crashed worker's successor resumes after
 * the last batch that committed. Asking again for the period runs it again, and creates only
 * what is missing (invoices are unique per organisation and period).
 */
@Entity('billing_runs')
@Index('billing_runs_period_key', ['period'], { unique: true })
@Check('billing_runs_status_check', `"status" IN ('queued', 'running', 'completed', 'failed')`)
@Check('billing_runs_posting_check', `"posting_status" IN ('idle', 'queued', 'running', 'completed', 'failed')`)
@Check('billing_runs_period_check', `"period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' AND "period_end" > "period_start"`)
export class BillingRun {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  period!: string;

  @Column({ type: 'date' })
  periodStart!: string;

  /** Exclusive. */
  @Column({ type: 'date' })
  periodEnd!: string;

  @Column({ type: 'text', default: 'queued' })
  status!: RunStatus;

  /** How many times it was asked for: the first pass, then repeats. */
  @Column({ type: 'integer', default: 1 })
  passes!: number;

  /** The last organisation whose batch committed in this pass. */
  @Column({ type: 'uuid', nullable: true })
  cursor!: string | null;

  @Column({ type: 'integer', default: 0 })
  organizationsTotal!: number;

  @Column({ type: 'integer', default: 0 })
  organizationsDone!: number;

  @Column({ type: 'integer', default: 0 })
  invoicesCreated!: number;

  /** Organisations that already had their invoice for the period (a repeat). */
  @Column({ type: 'integer', default: 0 })
  alreadyInvoiced!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'text', default: 'idle' })
  postingStatus!: 'idle' | 'queued' | 'running' | 'completed' | 'failed';

  @Column({ type: 'integer', default: 0 })
  invoicesPosted!: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
