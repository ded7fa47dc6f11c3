import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics, TransactionalConnection } from '@ruche/core';
import { RECONCILE_TASK } from '@ruche/hosting';

/**
 * Provisioning's Prometheus metrics: reconcile duration and failures by driver and server (in
 * the worker that runs them), queue depth and oldest job age (read from the queue at scrape).
 */
@Injectable()
export class ProvisioningMetrics {
  private readonly duration: Histogram<'service' | 'server' | 'status'>;
  private readonly failures: Counter<'service' | 'server' | 'kind'>;

  constructor(metrics: Metrics, db: TransactionalConnection) {
    const registers = [metrics.registry];
    this.duration = new Histogram({
      name: 'ruche_reconcile_duration_seconds',
      help: 'Time to reconcile one service on one server',
      labelNames: ['service', 'server', 'status'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.failures = new Counter({
      name: 'ruche_reconcile_failures_total',
      help: 'Reconcile failures, by driver (service), server and kind: unreachable, release_refused (the checker refused a release and no resource explains it), command_failed, rejected (resources the checker refused)',
      labelNames: ['service', 'server', 'kind'] as const,
      registers,
    });
    // Both gauges read one query per scrape: the answer is kept for a second.
    let cached: { at: number; row: Promise<{ depth: number; oldest: number | null; running: number } | undefined> } | null = null;
    const queue = () => {
      if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), row: read() };
      return cached.row;
    };
    const read = async () => {
      const [row] = await db.query<{ depth: number; oldest: number | null; running: number }>(
        `SELECT count(*) FILTER (WHERE locked_at IS NULL AND run_at <= now())::int AS depth,
                count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
                extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_at IS NULL AND run_at <= now()))::float8 AS oldest
           FROM graphile_worker.jobs WHERE task_identifier = $1`,
        [RECONCILE_TASK],
      );
      return row;
    };
    new Gauge({
      name: 'ruche_reconcile_queue_depth',
      help: 'Reconcile jobs due and waiting for a worker',
      registers,
      async collect() {
        this.set((await queue().catch(() => undefined))?.depth ?? 0);
      },
    });
    new Gauge({
      name: 'ruche_reconcile_queue_oldest_seconds',
      help: 'Age of the oldest reconcile job due and waiting',
      registers,
      async collect() {
        this.set(Number((await queue().catch(() => undefined))?.oldest ?? 0));
      },
    });
  }

  observeRun(server: string, service: string, seconds: number, status: string): void {
    this.duration.observe({ service, server, status }, seconds);
  }

  countFailure(server: string, service: string, kind: 'unreachable' | 'release_refused' | 'command_failed' | 'rejected'): void {
    this.failures.inc({ service, server, kind });
  }
}
