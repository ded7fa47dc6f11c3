import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { EventEmitter } from 'node:events';
import { Logger as QueueLogger, makeWorkerUtils, run, type Runner, type Task, type TaskList, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import { CONFIG, type Config } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { LOGGER, type Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { JOB_HANDLER_METADATA, type JobHandlerOptions } from './job-handler.decorator.js';
import type { JobDefinition } from './job.js';

export interface JobInfo {
  id: string;
  attempts: number;
  maxAttempts: number;
}

type Handler = (payload: unknown, job: JobInfo) => Promise<unknown>;

/** How often a worker says it is alive, and how long silence means it is dead. */
const HEARTBEAT_MS = 2_000;
const DEAD_AFTER_SECONDS = 10;
/** How long start() waits for the LISTEN connection (polling covers a slower one). */
const LISTEN_WAIT_MS = 10_000;

/**
 * Runs the handlers that providers declared with `@JobHandler`. Used by apps/worker; any
 * number of worker processes may run it, since jobs are leased with SKIP LOCKED.
 */
@Injectable()
export class QueueWorker implements BeforeApplicationShutdown {
  private runner: Runner | null = null;
  private pool: pg.Pool | null = null;
  private utils: WorkerUtils | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly processId = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly queueWorkerIds: string[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Every declared job, with its handler bound to its provider. */
  handlers(): Map<string, { handler: Handler; job: JobDefinition; options: JobHandlerOptions }> {
    const found = new Map<string, { handler: Handler; job: JobDefinition; options: JobHandlerOptions }>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const meta = Reflect.getMetadata(JOB_HANDLER_METADATA, (instance as Record<string, object>)[method]!) as
          | ({ job: JobDefinition } & JobHandlerOptions)
          | undefined;
        if (!meta) continue;
        if (found.has(meta.job.name)) throw new Error(`Two handlers for job ${meta.job.name}`);
        const fn = (instance as Record<string, Handler>)[method]!;
        if (meta.cronPayload !== undefined) meta.job.schema.parse(meta.cronPayload);
        found.set(meta.job.name, { handler: fn.bind(instance), job: meta.job, options: meta });
      }
    }
    return found;
  }

  /** The schedules the handlers declared, as graphile-worker crontab lines (missed runs of the last hour are made up). */
  crontab(): string[] {
    return [...this.handlers()]
      .filter(([, { options }]) => options.cron)
      .map(([task, { options }]) => {
        const schedule = typeof options.cron === 'function' ? options.cron(this.config) : options.cron;
        return `${schedule} ${task} ?fill=1h ${JSON.stringify(options.cronPayload ?? {})}`;
      });
  }

  async start(databaseUrl: string): Promise<void> {
    const handlers = this.handlers();
    const taskList: TaskList = {};
    for (const [task, { handler, job }] of handlers) taskList[task] = this.wrap(job, handler);
    const crontab = this.crontab().join('\n');
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: this.config.workerConcurrency + 3, application_name: 'ruche-worker' });
    // An idle connection the server closes (a restart, a terminated backend) is an event, not a
    // crash: graphile-worker listens while it runs, and stops listening before the pool ends.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'a queue database connection was closed'));
    await this.pool.query(`INSERT INTO queue_workers (id, pid, hostname) VALUES ($1, $2, $3)`, [this.processId, process.pid, os.hostname()]);
    this.utils = await makeWorkerUtils({ pgPool: this.pool, logger: this.queueLogger() });
    // Listen before run() starts: it creates its workers (and emits worker:create) right away.
    const events = new EventEmitter() as WorkerEvents;
    events.on('worker:create', ({ worker }) => {
      this.queueWorkerIds.push(worker.workerId);
      void this.beat();
    });
    // run() returns before its LISTEN connection is up; until then new jobs wait for a poll.
    const listening = new Promise<void>((resolve) => events.once('pool:listen:success', () => resolve()));
    this.runner = await run({
      events,
      pgPool: this.pool,
      concurrency: this.config.workerConcurrency,
      taskList,
      crontab,
      noHandleSignals: true,
      pollInterval: this.config.queuePollIntervalMs,
      logger: this.queueLogger(),
    });
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([listening, new Promise<void>((resolve) => (waited = setTimeout(resolve, LISTEN_WAIT_MS)))]);
    clearTimeout(waited);
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    await this.beat();
    this.logger.info({ tasks: [...handlers.keys()], worker: this.processId }, 'queue worker started');
  }

  /** Says this process is alive, and frees the jobs of processes that stopped saying so. */
  private async beat(): Promise<void> {
    const pool = this.pool;
    if (!pool || !this.utils) return;
    try {
      await pool.query(`UPDATE queue_workers SET heartbeat_at = now(), queue_worker_ids = $2 WHERE id = $1`, [this.processId, this.queueWorkerIds]);
      const dead = await pool.query<{ id: string; queue_worker_ids: string[] }>(
        `DELETE FROM queue_workers WHERE heartbeat_at < now() - make_interval(secs => $1) RETURNING id, queue_worker_ids`,
        [DEAD_AFTER_SECONDS],
      );
      const ids = dead.rows.flatMap((row) => row.queue_worker_ids);
      if (ids.length > 0) {
        await this.utils.forceUnlockWorkers(ids);
        this.logger.warn({ workers: dead.rows.map((row) => row.id) }, 'unlocked the jobs of dead workers');
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'worker heartbeat failed');
    }
  }

  /** Closing the application stops the runner first: its jobs still have their database. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Finishes running jobs, leaves waiting ones to other workers, then closes the pool. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.runner) await this.runner.stop();
    if (this.utils) await this.utils.release();
    if (this.pool) {
      await this.pool.query(`DELETE FROM queue_workers WHERE id = $1`, [this.processId]).catch(() => undefined);
      await this.pool.end();
    }
    this.runner = null;
    this.utils = null;
    this.pool = null;
  }

  private wrap(definition: JobDefinition, handler: Handler): Task {
    const task = definition.name;
    return async (payload, helpers) => {
      const job: JobInfo = { id: helpers.job.id, attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts };
      return RequestContext.run({ requestId: `job-${job.id}`, ip: null, headerLocale: null, actor: null }, async () => {
        const started = performance.now();
        // A payload that does not fit its job's schema would fail the same way at every retry:
        // the job ends there, said in an error line and a metric, and the handler never sees it.
        const checked = definition.schema.safeParse(withoutCronMark(payload));
        if (!checked.success) {
          const reason = checked.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
          this.logger.error({ task, jobId: job.id, reason }, 'job refused: its payload does not fit the job');
          this.metrics.jobsRefused.inc({ task });
          return;
        }
        try {
          await handler(checked.data, job);
          this.logger.info({ task, jobId: job.id, ms: Math.round(performance.now() - started) }, 'job done');
        } catch (error) {
          this.logger.error({ task, jobId: job.id, attempt: job.attempts, err: error }, 'job failed');
          throw error;
        }
      });
    };
  }

  private queueLogger(): QueueLogger {
    return new QueueLogger((scope) => (level, message, meta) => {
      const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
      this.logger[method]({ queue: scope, ...(meta ?? {}) }, message);
    });
  }
}

/**
 * graphile-worker's crontab adds `_cron` (when the run was due, whether it was back-filled) to
 * the payload of every scheduled job: its bookkeeping, not the job's, so the job's schema never
 * sees it.
 */
function withoutCronMark(payload: unknown): unknown {
  if (payload === null || payload === undefined) return {};
  if (typeof payload !== 'object' || Array.isArray(payload) || !('_cron' in payload)) return payload;
  const { _cron: _mark, ...own } = payload as Record<string, unknown>;
  return own;
}
