import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * A step of a run and its milliseconds. File drivers: known, load, prepare, render, observe,
 * early, plan, stage, validate, mark (waiting for the marking that ran beside them), activate;
 * state drivers: load, prepare, observe, plan, apply. `failed` is the time until the error when
 * a step threw; `record`, always last, the rest (outcomes, retries, events).
 */
export interface RunStep {
  step: string;
  ms: number;
}

/** One reconcile of one service on one server: what sysadmins see in /api/v1/jobs. */
@Entity('reconcile_runs')
@Index('reconcile_runs_server_idx', ['serverId', 'id'])
@Index('reconcile_runs_status_idx', ['status', 'id'])
@Check('reconcile_runs_status_check', `"status" IN ('running', 'succeeded', 'failed', 'skipped')`)
export class ReconcileRun {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  serverId!: string;

  @Column({ type: 'text' })
  service!: string;

  /** The queue job that ran it. */
  @Column({ type: 'text', nullable: true })
  jobId!: string | null;

  /** `change`, `retry` or `resync`. */
  @Column({ type: 'text' })
  trigger!: string;

  @Column({ type: 'text' })
  status!: RunStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'integer', default: 0 })
  filesChanged!: number;

  @Column({ type: 'integer', default: 0 })
  resourcesApplied!: number;

  @Column({ type: 'integer', default: 0 })
  resourcesFailed!: number;

  /** Files on the server differed from what Ruche had deployed, without any change asked for. */
  @Column({ type: 'boolean', default: false })
  drift!: boolean;

  /** How many times the daemon was reloaded (0 or 1). */
  @Column({ type: 'integer', default: 0 })
  reloads!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Milliseconds per step, in the order they ran (null while running; file and state drivers have different steps). */
  @Column({ type: 'jsonb', nullable: true })
  steps!: RunStep[] | null;
}
