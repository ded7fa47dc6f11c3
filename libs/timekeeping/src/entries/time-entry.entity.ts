import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Worker } from '../workers/worker.entity.js';
import { Contract, ContractTask } from '../contracts/contract.entity.js';
import { Committee } from '../committees/committee.entity.js';
import { TimeBillingLine } from '../billing/time-billing-line.entity.js';
import { PayRun } from '../pay/pay-run.entity.js';

export const CATEGORIES = ['work', 'committee_meeting', 'reflection_meeting', 'training'] as const;
export type Category = (typeof CATEGORIES)[number];
/** Meetings are left out of the hours that count towards work-committee eligibility. */
export const MEETING_CATEGORIES: readonly Category[] = ['committee_meeting', 'reflection_meeting'];

/**
 * Time a worker recorded. The duration is rounded once, when recorded (`recordedMinutes` as
 * typed, `minutes` after `rounding`). Open entries are their worker's to change; approved ones
 * are frozen, and once invoiced (their line is) or paid (a pay run holds them) PostgreSQL refuses
 * any change. A correction is a new entry adjusting the first (`adjustsEntryId`, minutes signed).
 */
@Entity('time_entries')
@Index('time_entries_worker_date_idx', ['workerId', 'workDate'])
@Index('time_entries_date_idx', ['workDate'])
@Index('time_entries_contract_idx', ['contractId', 'workDate'])
@Index('time_entries_to_bill_idx', ['contractId'], { where: `"status" = 'approved' AND "billable" AND "billing_line_id" IS NULL` })
@Index('time_entries_billing_line_idx', ['billingLineId'], { where: `"billing_line_id" IS NOT NULL` })
@Check('time_entries_category_check', `"category" IN ('work', 'committee_meeting', 'reflection_meeting', 'training')`)
@Check('time_entries_committee_check', `("category" = 'committee_meeting') = ("committee_id" IS NOT NULL)`)
@Check('time_entries_contract_check', `"contract_id" IS NOT NULL OR "category" IN ('committee_meeting', 'reflection_meeting')`)
@Check('time_entries_task_check', `"task_id" IS NULL OR "contract_id" IS NOT NULL`)
@Check('time_entries_minutes_check', `"minutes" <> 0 AND ("minutes" > 0 OR "adjusts_entry_id" IS NOT NULL) AND abs("minutes") <= 1440 AND abs("recorded_minutes") <= 1440`)
@Check('time_entries_billable_check', `NOT "billable" OR ("contract_id" IS NOT NULL AND "minutes" > 0 AND NOT "volunteer")`)
@Check('time_entries_status_check', `"status" IN ('open', 'approved') AND ("status" = 'approved') = ("approved_at" IS NOT NULL)`)
@Check('time_entries_billing_state_check', `"billing_state" IS NULL OR ("billing_state" IN ('submitted', 'over_cap') AND "billable" AND "status" = 'approved' AND ("billing_state" = 'submitted') = ("billing_line_id" IS NOT NULL))`)
@Check('time_entries_billing_line_check', `"billing_line_id" IS NULL OR "billing_state" = 'submitted'`)
@Check('time_entries_paid_check', `"pay_run_id" IS NULL OR "status" = 'approved'`)
export class TimeEntry {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  workerId!: string;

  @ManyToOne(() => Worker, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'worker_id', foreignKeyConstraintName: 'time_entries_worker_fk' })
  worker?: Relation<Worker>;

  @Column({ type: 'date' })
  workDate!: string;

  /** As the worker typed it (or the timer measured it). */
  @Column({ type: 'integer' })
  recordedMinutes!: number;

  /** After rounding: what counts everywhere. */
  @Column({ type: 'integer' })
  minutes!: number;

  /** The rule applied (`up:15`, `none` for adjustments). */
  @Column({ type: 'text' })
  rounding!: string;

  @Column({ type: 'uuid', nullable: true })
  contractId!: string | null;

  @ManyToOne(() => Contract, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'time_entries_contract_fk' })
  contract?: Relation<Contract>;

  @Column({ type: 'uuid', nullable: true })
  taskId!: string | null;

  @ManyToOne(() => ContractTask, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'time_entries_task_fk' })
  task?: Relation<ContractTask>;

  @Column({ type: 'text' })
  category!: Category;

  @Column({ type: 'uuid', nullable: true })
  committeeId!: string | null;

  @ManyToOne(() => Committee, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'committee_id', foreignKeyConstraintName: 'time_entries_committee_fk' })
  committee?: Relation<Committee>;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'boolean', default: false })
  billable!: boolean;

  /** Unpaid (volunteer) time: counted, never paid. */
  @Column({ type: 'boolean', default: false })
  volunteer!: boolean;

  @Column({ type: 'text', default: 'open' })
  status!: 'open' | 'approved';

  @Column({ type: 'uuid', nullable: true })
  approvedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  /** For approved billable entries: on a line (`submitted`) or past the contract's cap (`over_cap`). */
  @Column({ type: 'text', nullable: true })
  billingState!: 'submitted' | 'over_cap' | null;

  @Column({ type: 'uuid', nullable: true })
  billingLineId!: string | null;

  @ManyToOne(() => TimeBillingLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'billing_line_id', foreignKeyConstraintName: 'time_entries_billing_line_fk' })
  billingLine?: Relation<TimeBillingLine>;

  @Column({ type: 'uuid', nullable: true })
  payRunId!: string | null;

  @ManyToOne(() => PayRun, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pay_run_id', foreignKeyConstraintName: 'time_entries_pay_run_fk' })
  payRun?: Relation<PayRun>;

  @Column({ type: 'uuid', nullable: true })
  adjustsEntryId!: string | null;

  @ManyToOne(() => TimeEntry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'adjusts_entry_id', foreignKeyConstraintName: 'time_entries_adjusts_fk' })
  adjustsEntry?: Relation<TimeEntry>;

  /** Who recorded it, when not the worker (a coordinator entering a paper timesheet). */
  @Column({ type: 'uuid', nullable: true })
  recordedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
