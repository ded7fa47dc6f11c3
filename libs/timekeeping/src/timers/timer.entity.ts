import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Worker } from '../workers/worker.entity.js';
import { Contract, ContractTask } from '../contracts/contract.entity.js';
import { Committee } from '../committees/committee.entity.js';
import type { Category } from '../entries/time-entry.entity.js';

/**
 * A running clock: what the time will be recorded against, and since when. Stopping it writes
 * the time entry. One runs per worker at most (a unique partial index).
 */
@Entity('timers')
@Index('timers_one_running_per_worker', ['workerId'], { unique: true, where: `"stopped_at" IS NULL` })
@Check('timers_category_check', `"category" IN ('work', 'committee_meeting', 'reflection_meeting', 'training')`)
@Check('timers_committee_check', `("category" = 'committee_meeting') = ("committee_id" IS NOT NULL)`)
@Check('timers_contract_check', `"contract_id" IS NOT NULL OR "category" IN ('committee_meeting', 'reflection_meeting')`)
@Check('timers_stopped_check', `"stopped_at" IS NULL OR ("stopped_at" >= "started_at" AND "entry_id" IS NOT NULL)`)
export class Timer {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  workerId!: string;

  @ManyToOne(() => Worker, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'worker_id', foreignKeyConstraintName: 'timers_worker_fk' })
  worker?: Relation<Worker>;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  contractId!: string | null;

  @ManyToOne(() => Contract, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'timers_contract_fk' })
  contract?: Relation<Contract>;

  @Column({ type: 'uuid', nullable: true })
  taskId!: string | null;

  @ManyToOne(() => ContractTask, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'timers_task_fk' })
  task?: Relation<ContractTask>;

  @Column({ type: 'text' })
  category!: Category;

  @Column({ type: 'uuid', nullable: true })
  committeeId!: string | null;

  @ManyToOne(() => Committee, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'committee_id', foreignKeyConstraintName: 'timers_committee_fk' })
  committee?: Relation<Committee>;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'boolean', default: false })
  billable!: boolean;

  @Column({ type: 'boolean', default: false })
  volunteer!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  /** The entry the stopped timer became. */
  @Column({ type: 'uuid', nullable: true })
  entryId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
