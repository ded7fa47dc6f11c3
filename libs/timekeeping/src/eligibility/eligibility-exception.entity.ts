import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Worker } from '../workers/worker.entity.js';
import type { Criterion } from './eligibility.js';

/**
 * An exception the work committee granted (a justified absence): the criteria it waives for a
 * worker over a span of days, why, and who recorded it. Append-only.
 */
@Entity('eligibility_exceptions')
@Index('eligibility_exceptions_worker_idx', ['workerId', 'fromDate'])
@Check('eligibility_exceptions_span_check', `"to_date" >= "from_date"`)
@Check('eligibility_exceptions_criteria_check', `cardinality("criteria") > 0 AND "criteria" <@ ARRAY['committees', 'reflection_meetings', 'monthly_hours']::text[]`)
export class EligibilityExceptionRow {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  workerId!: string;

  @ManyToOne(() => Worker, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'worker_id', foreignKeyConstraintName: 'eligibility_exceptions_worker_fk' })
  worker?: Relation<Worker>;

  @Column({ type: 'date' })
  fromDate!: string;

  @Column({ type: 'date' })
  toDate!: string;

  @Column({ type: 'text', array: true })
  criteria!: Criterion[];

  @Column({ type: 'text' })
  reason!: string;

  /** The body or meeting that granted it ("Comité de travail, 2025-01-07"). */
  @Column({ type: 'text' })
  grantedBy!: string;

  @Column({ type: 'date' })
  decidedOn!: string;

  /** Who recorded it. */
  @Column({ type: 'uuid', nullable: true })
  recordedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
