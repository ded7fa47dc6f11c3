import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import pg from 'pg';
import { Logger as QueueLogger, run, type Runner, type Task, type TaskList } from 'graphile-worker';
import { CONFIG, type Config } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { LOGGER, type Logger } from '../observability/logger.js';
import { JOB_HANDLER_METADATA, type JobHandlerOptions } from './job-handler.decorator.js';

export interface JobInfo {
  id: string;
  attempts: number;
  maxAttempts: number;
}

type Handler = (payload: unknown, job: JobInfo) => Promise<unknown>;

/**
 * Runs the handlers that providers declared with `@JobHandler`. Used by apps/worker; any
 * number of worker processes may run it, since jobs are leased with SKIP LOCKED.
 */
@Injectable()
export class QueueWorker {
  private runner: Runner | null = null;
  private pool: pg.Pool | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Every declared task, with its handler bound to its provider. */
  handlers(): Map<string, { handler: Handler; options: JobHandlerOptions }> {
    const found = new Map<string, { handler: Handler; options: JobHandlerOptions }>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const meta = Reflect.getMetadata(JOB_HANDLER_METADATA, (instance as Record<string, object>)[method]!) as
          | ({ task: string } & JobHandlerOptions)
          | undefined;
        if (!meta) continue;
        if (found.has(meta.task)) throw new Error(`Two handlers for job ${meta.task}`);
        const fn = (instance as Record<string, Handler>)[method]!;
        found.set(meta.task, { handler: fn.bind(instance), options: meta });
      }
    }
    return found;
  }

  async start(databaseUrl: string): Promise<void> {
    const handlers = this.handlers();
    const taskList: TaskList = {};
    for (const [task, { handler }] of handlers) taskList[task] = this.wrap(task, handler);
    const crontab = [...handlers]
      .filter(([, { options }]) => options.cron)
      .map(([task, { options }]) => `${options.cron} ${task} ?fill=1h ${JSON.stringify(options.cronPayload ?? {})}`)
      .join('\n');
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: this.config.workerConcurrency + 2, application_name: 'ruche-worker' });
    this.runner = await run({
      pgPool: this.pool,
      concurrency: this.config.workerConcurrency,
      taskList,
      crontab,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: this.queueLogger(),
    });
    this.logger.info({ tasks: [...handlers.keys()] }, 'queue worker started');
  }

  /** Finishes running jobs, leaves waiting ones to other workers, then closes the pool. */
  async stop(): Promise<void> {
    if (this.runner) await this.runner.stop();
    if (this.pool) await this.pool.end();
    this.runner = null;
    this.pool = null;
  }

  private wrap(task: string, handler: Handler): Task {
    return async (payload, helpers) => {
      const job: JobInfo = { id: helpers.job.id, attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts };
      return RequestContext.run({ requestId: `job-${job.id}`, ip: null, headerLocale: null, actor: null }, async () => {
        const started = performance.now();
        try {
          await handler(payload, job);
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
