import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../database/transactional-connection.js';
import type { JobDefinition, JobInput, JobPayload } from './job.js';

export interface EnqueueOptions {
  /** Jobs with the same key coalesce: a burst of changes becomes one job. */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs in one named queue run one at a time, in order. */
  queueName?: string;
  priority?: number;
}

/** A job waiting in the queue (not yet taken by a worker). */
export interface WaitingJob<Payload = unknown> {
  id: string;
  key: string | null;
  payload: Payload;
  runAt: Date;
  attempts: number;
  lastError: string | null;
}

export interface QueueStats {
  /** Jobs due and waiting for a worker. */
  depth: number;
  /** Jobs a worker holds now. */
  running: number;
  /** Age of the oldest job due and waiting, in seconds (0 when none). */
  oldestSeconds: number;
}

/**
 * The job queue (graphile-worker, in PostgreSQL). Jobs are added through the current
 * transaction: one enqueued by a request that rolls back never exists, and a committed one
 * wakes a worker through LISTEN/NOTIFY within milliseconds. Only this service (and core's
 * worker) knows the queue's own tables: other libs ask here.
 */
@Injectable()
export class QueueService {
  constructor(private readonly db: TransactionalConnection) {}

  async enqueue<Job extends JobDefinition>(job: Job, payload: JobInput<Job>, options: EnqueueOptions = {}): Promise<string> {
    // Checked here too: a payload that does not fit is a bug of the caller, found at once.
    const checked = job.schema.parse(payload) as object;
    const [row] = await this.db.query<{ id: string }>(
      `SELECT id::text FROM graphile_worker.add_job(
         identifier => $1, payload => $2::json, queue_name => $3, run_at => $4,
         max_attempts => $5, job_key => $6, priority => $7, job_key_mode => $8)`,
      [
        job.name,
        JSON.stringify(checked),
        options.queueName ?? null,
        options.runAt ?? null,
        options.maxAttempts ?? null,
        options.jobKey ?? null,
        options.priority ?? null,
        options.jobKeyMode ?? 'replace',
      ],
    );
    return row!.id;
  }

  /**
   * The job waiting under `jobKey`, if any: `due` only when its time has come and it has
   * attempts left. `shareLock` holds it (FOR SHARE SKIP LOCKED) until the caller's transaction
   * ends, so no worker claims it meanwhile; one being claimed right now is passed over.
   */
  async waiting<Job extends JobDefinition>(job: Job, jobKey: string, options: { due?: boolean; shareLock?: boolean } = {}): Promise<WaitingJob<JobPayload<Job>> | null> {
    const [row] = await this.db.query<{ id: string; key: string | null; payload: JobPayload<Job>; run_at: Date; attempts: number; last_error: string | null }>(
      `SELECT j.id::text, j.key, j.payload, j.run_at, j.attempts, j.last_error
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE j.key = $1 AND t.identifier = $2 AND j.locked_at IS NULL
          ${options.due ? 'AND j.run_at <= now() AND j.attempts < j.max_attempts' : ''}
        ${options.shareLock ? 'FOR SHARE OF j SKIP LOCKED' : ''}`,
      [jobKey, job.name],
    );
    return row ? { id: row.id, key: row.key, payload: row.payload, runAt: row.run_at, attempts: row.attempts, lastError: row.last_error } : null;
  }

  /** Jobs of `job` waiting for a worker (with attempts left), soonest first; `where` filters on payload fields. */
  async listWaiting<Job extends JobDefinition>(job: Job, where: Record<string, string | undefined> = {}, limit = 50): Promise<Array<WaitingJob<JobPayload<Job>>>> {
    const filters = Object.entries(where).filter((entry): entry is [string, string] => entry[1] !== undefined);
    const rows = await this.db.query<{ id: string; key: string | null; payload: JobPayload<Job>; run_at: Date; attempts: number; last_error: string | null }>(
      `SELECT j.id::text, j.key, j.payload, j.run_at, j.attempts, j.last_error
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE t.identifier = $1 AND j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.payload::jsonb @> $2::jsonb
        ORDER BY j.run_at, j.id LIMIT $3`,
      [job.name, JSON.stringify(Object.fromEntries(filters)), limit],
    );
    return rows.map((row) => ({ id: row.id, key: row.key, payload: row.payload, runAt: row.run_at, attempts: row.attempts, lastError: row.last_error }));
  }

  /** How deep the queue of one kind of job is, and how old its oldest due job. */
  async stats(job: JobDefinition): Promise<QueueStats> {
    const [row] = await this.db.query<{ depth: number; running: number; oldest: number | null }>(
      `SELECT count(*) FILTER (WHERE locked_at IS NULL AND run_at <= now())::int AS depth,
              count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
              extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_at IS NULL AND run_at <= now()))::float8 AS oldest
         FROM graphile_worker.jobs WHERE task_identifier = $1`,
      [job.name],
    );
    return { depth: row?.depth ?? 0, running: row?.running ?? 0, oldestSeconds: Number(row?.oldest ?? 0) };
  }
}
