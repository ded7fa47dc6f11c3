import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../database/transactional-connection.js';

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

/**
 * Adds jobs to the PostgreSQL queue (graphile-worker) through the current transaction:
 * a job enqueued by a request that rolls back never exists, and a committed one wakes a
 * worker through LISTEN/NOTIFY within milliseconds.
 */
@Injectable()
export class QueueService {
  constructor(private readonly db: TransactionalConnection) {}

  async enqueue(task: string, payload: object, options: EnqueueOptions = {}): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `SELECT id::text FROM graphile_worker.add_job(
         identifier => $1, payload => $2::json, queue_name => $3, run_at => $4,
         max_attempts => $5, job_key => $6, priority => $7, job_key_mode => $8)`,
      [
        task,
        JSON.stringify(payload),
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
}
