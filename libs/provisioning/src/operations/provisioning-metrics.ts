import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Metrics, QueueService, type QueueStats } from '@ruche/core';
import { RECONCILE_JOB } from '@ruche/hosting';
import type { RunStep } from '../reconciler/reconcile-run.entity.js';

/**
 * Provisioning's Prometheus metrics: reconcile duration and failures by driver and server (in
 * the worker that runs them), queue depth and oldest job age (read from the queue at scrape).
 */
@Injectable()
export class ProvisioningMetrics {
  private readonly duration: Histogram<'service' | 'server' | 'status'>;
  private readonly failures: Counter<'service' | 'server' | 'kind'>;
  private readonly stepSeconds: Counter<'service' | 'server' | 'step'>;

  constructor(metrics: Metrics, queueService: QueueService) {
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
      help: 'Reconcile failures, by driver (service), server and kind: unreachable, release_refused (the checker refused a release and no resource explains it), command_failed, rejected (resources the checker refused), cleanup_skipped (old releases\' shared subfolders left on the server)',
      labelNames: ['service', 'server', 'kind'] as const,
      registers,
    });
    // A counter, not a histogram: rate() of each step against the others says where a server's
    // reconciles spend their time (a slow disk shows as stage, a slow daemon as activate),
    // without a set of buckets per step.
    this.stepSeconds = new Counter({
      name: 'ruche_reconcile_step_seconds_total',
      help: 'Time spent in each step of reconciles (load, render, stage, activate…), by driver (service) and server',
      labelNames: ['service', 'server', 'step'] as const,
      registers,
    });
    // Both gauges read one query per scrape: the answer is kept for a second.
    let cached: { at: number; stats: Promise<QueueStats | undefined> } | null = null;
    const queue = () => {
      if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), stats: queueService.stats(RECONCILE_JOB).catch(() => undefined) };
      return cached.stats;
    };
    new Gauge({
      name: 'ruche_reconcile_queue_depth',
      help: 'Reconcile jobs due and waiting for a worker',
      registers,
      async collect() {
        this.set((await queue())?.depth ?? 0);
      },
    });
    new Gauge({
      name: 'ruche_reconcile_queue_oldest_seconds',
      help: 'Age of the oldest reconcile job due and waiting',
      registers,
      async collect() {
        this.set((await queue())?.oldestSeconds ?? 0);
      },
    });
  }

  observeRun(server: string, service: string, seconds: number, status: string, steps: readonly RunStep[] = []): void {
    this.duration.observe({ service, server, status }, seconds);
    for (const { step, ms } of steps) this.stepSeconds.inc({ service, server, step }, ms / 1000);
  }

  countFailure(server: string, service: string, kind: 'unreachable' | 'release_refused' | 'command_failed' | 'rejected' | 'cleanup_skipped'): void {
    this.failures.inc({ service, server, kind });
  }
}
