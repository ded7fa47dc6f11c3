import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { User } from '@ruche/core';

export const WORKER_STATUSES = ['member', 'work_committee', 'freelancer'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/**
 * A person who records time: a user holding the worker (or coordinator) staff role, with their
 * standing in the co-op. The id is the user's.
 */
@Entity('workers')
@Check('workers_status_check', `"status" IN ('member', 'work_committee', 'freelancer')`)
export class Worker {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'id', foreignKeyConstraintName: 'workers_user_fk' })
  user?: Relation<User>;

  @Column({ type: 'text', default: 'member' })
  status!: WorkerStatus;

  /** Workers who left stay (their time does), out of the eligibility report. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
