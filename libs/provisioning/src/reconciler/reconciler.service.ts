import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, JobHandler, LOGGER, newId, TransactionalConnection, type Config, type JobInfo, type Logger } from '@ruche/core';
import { DesiredStateService, RECONCILE_TASK, Server, type ReconcilePayload, type Service } from '@ruche/hosting';
import { DriverRegistry } from '../drivers/driver-registry.js';
import type { RenderedUnit, ServiceDriver } from '../drivers/driver.js';
import { CommandFailed, sha256Hex, TransportError } from '../transports/connection.js';
import { ConnectionPool } from '../transports/connection-pool.service.js';
import { ProvisioningMetrics } from '../operations/provisioning-metrics.js';
import { backoffDelayMs } from './backoff.js';
import { ReconcileRun } from './reconcile-run.entity.js';
import { ServerEvent } from '../operations/server-event.entity.js';
import { hasPendingWork, markApplying, recordOutcomes, type Outcomes } from './resource-outcomes.js';

export type ReconcileTrigger = 'change' | 'retry' | 'resync';

export interface ReconcileJob extends ReconcilePayload {
  trigger?: ReconcileTrigger;
}

/** What one reconcile did, for tests, logs and /api/v1/jobs. */
export interface ReconcileSummary {
  status: 'succeeded' | 'failed' | 'skipped';
  filesChanged: number;
  applied: number;
  failed: number;
  reloads: number;
  drift: boolean;
  error: string | null;
  /** Milliseconds per step (load, connect, prepare, render, observe, stage, validate, activate). */
  steps?: Record<string, number>;
}

/** A checker failure no resource can be blamed for: the release is not activated, and the run is retried. */
class ReleaseRefused extends Error {}

const RELEASES_KEPT = 3;
const PAUSED_RECHECK_MS = 60_000;

/**
 * The reconcile loop, level-triggered like a Kubernetes controller: read the whole desired
 * configuration of one service on one server, compare it by content hash with what the
 * server actually has, and when they differ build a new release beside the live one (hard
 * links for what did not change), check it with the service's own checker, leave out what
 * the checker refuses, swap it in atomically and reload once. It never trusts that an
 * earlier attempt finished: every run starts from what the server has.
 */
@Injectable()
export class Reconciler {
  /** The services prepared on each server since its connection was last dropped. */
  private readonly prepared = new Map<string, Set<Service>>();

  constructor(
    private readonly db: TransactionalConnection,
    private readonly drivers: DriverRegistry,
    private readonly connections: ConnectionPool,
    private readonly state: DesiredStateService,
    private readonly metrics: ProvisioningMetrics,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @JobHandler(RECONCILE_TASK)
  async handle(payload: ReconcileJob, job: JobInfo): Promise<void> {
    await this.reconcile(payload.serverId, payload.service, payload.trigger ?? 'change', job.id);
  }

  async reconcile(serverId: string, service: Service, trigger: ReconcileTrigger = 'change', jobId: string | null = null): Promise<ReconcileSummary> {
    const server = await this.db.getRepository(Server).findOneBy({ id: serverId });
    const driver = this.drivers.get(service);
    if (!server || !driver || !server.services.includes(service)) {
      return { status: 'skipped', filesChanged: 0, applied: 0, failed: 0, reloads: 0, drift: false, error: null };
    }
    // A paused server's work waits in the queue (visible in /api/v1/jobs); resuming the
    // server brings it forward.
    if (server.status === 'paused') {
      this.logger.info({ server: server.name, service }, 'server paused: reconcile postponed');
      await this.state.enqueueReconcile(serverId, service, { runAt: new Date(Date.now() + PAUSED_RECHECK_MS), trigger });
      return { status: 'skipped', filesChanged: 0, applied: 0, failed: 0, reloads: 0, drift: false, error: null };
    }
    // Runs of one (server, service) never overlap (a named queue): one still "running" belonged
    // to a worker that died.
    await this.db.query(
      `UPDATE reconcile_runs SET status = 'failed', finished_at = now(), error = 'the worker running it stopped before it finished; it was run again'
        WHERE server_id = $1 AND service = $2 AND status = 'running'`,
      [serverId, service],
    );
    const runId = newId();
    await this.db.getRepository(ReconcileRun).insert({ id: runId, serverId, service, jobId, trigger, status: 'running' });
    const started = performance.now();
    const steps: Record<string, number> = {};
    const summary: ReconcileSummary = await this.run(server, driver, trigger, steps, runId).catch((error: Error) => {
      this.logger.error({ err: error, server: server.name, service }, 'reconcile crashed');
      return { status: 'failed' as const, filesChanged: 0, applied: 0, failed: 0, reloads: 0, drift: false, error: error.message };
    });
    summary.steps = steps;
    const durationMs = Math.round(performance.now() - started);
    await this.db.getRepository(ReconcileRun).update(
      { id: runId },
      {
        status: summary.status,
        finishedAt: new Date(),
        durationMs,
        filesChanged: summary.filesChanged,
        resourcesApplied: summary.applied,
        resourcesFailed: summary.failed,
        drift: summary.drift,
        reloads: summary.reloads,
        error: summary.error?.slice(0, 4000) ?? null,
      },
    );
    this.metrics.observeRun(server.name, service, durationMs / 1000, summary.status);
    this.logger.info({ server: server.name, service, trigger, ms: durationMs, ...summary }, 'reconcile finished');
    // Level-triggered: whatever changed while this ran gets another pass right away.
    if (await hasPendingWork(this.db, serverId, driver.resourceTypes)) await this.state.enqueueReconcile(serverId, service);
    return summary;
  }

  private async run(server: Server, driver: ServiceDriver, trigger: ReconcileTrigger, timings: Record<string, number>, runId: string): Promise<ReconcileSummary> {
    // Where the time goes, step by step, for the log line of each run.
    let mark = performance.now();
    const step = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(now - mark);
      mark = now;
    };
    const { resources, render } = await driver.load(server, this.config);
    const waiting = resources.filter((r) => r.generation > r.observedGeneration || r.phase === 'deleting' || r.phase === 'applying');
    const deleting = resources.filter((r) => r.phase === 'deleting');
    await markApplying(this.db, waiting.filter((r) => r.phase !== 'deleting'));
    const outcomes: Outcomes = { applied: [], rejected: [], unreachable: [], deleted: [], drifted: [] };
    let filesChanged = 0;
    let reloads = 0;
    let drift = false;
    try {
      step('load');
      const connection = await this.connections.get(server);
      step('connect');
      // Set-up is idempotent but costs round trips: once per server while it stays reachable
      // (a failure forgets it), and at every resync.
      const prepared = this.prepared.get(server.id) ?? new Set<Service>();
      if (!prepared.has(driver.service) || trigger === 'resync') {
        await driver.prepare(connection);
        prepared.add(driver.service);
        this.prepared.set(server.id, prepared);
      }
      step('prepare');
      const rendered = render();
      for (const refused of rendered.refused) outcomes.rejected.push(refused);
      step('render');
      const live = await connection.hashTree(driver.liveLink);
      step('observe');

      // A resource the checker refused, and that nobody changed since, keeps its last good
      // files (if it has any): it is not offered to the checker again at every pass.
      const held = new Set(resources.filter((r) => r.phase === 'failed' && r.generation === r.observedGeneration).map((r) => r.id));
      const hasLiveFiles = (unit: RenderedUnit) => [...unit.files.keys()].some((file) => live.has(file));
      const kept = rendered.units.filter((unit) => held.has(unit.resource.id) && hasLiveFiles(unit));
      // So does one the driver would not even render (a value that slipped past the API).
      for (const { unit } of rendered.refused) if (unit && hasLiveFiles(unit)) kept.push(unit);
      let included = rendered.units.filter((unit) => !held.has(unit.resource.id));

      // The release for the included units: their files, the kept units' live files, and the
      // shared files (the zone list) for both, compared with what the server has.
      const plan = () => {
        const keptPaths = new Set(kept.flatMap((unit) => [...unit.files.keys()].filter((file) => live.has(file))));
        const desired = new Map<string, string>();
        for (const unit of included) for (const [file, content] of unit.files) desired.set(file, content);
        const shared = rendered.shared(included, kept);
        for (const [file, content] of shared) desired.set(file, content);
        const changed = new Map([...desired].filter(([file, content]) => live.get(file) !== sha256Hex(content)));
        const removed = [...live.keys()].filter((file) => !desired.has(file) && !keptPaths.has(file));
        return { changed, removed, shared };
      };
      let { changed, removed, shared } = plan();

      if (changed.size === 0 && removed.length === 0) {
        // The server already has it all. A resource still waiting may follow a swap whose
        // reload failed: make the daemon load the live release before calling it ready.
        if (waiting.length > 0) {
          const activation = driver.activation({ changed: [], added: [], sharedChanged: false, removed: deleting, force: true });
          await connection.run(activation.argv, { timeoutMs: 300_000, ...(activation.input !== undefined ? { input: activation.input } : {}) });
          reloads = 1;
        }
        outcomes.applied.push(...included.map((unit) => unit.resource));
        outcomes.deleted.push(...deleting);
        await recordOutcomes(this.db, outcomes);
        return this.summary('succeeded', outcomes, 0, reloads, false, null);
      }

      // Files differ though nothing was asked: someone changed the server by hand.
      const touched = new Set([...changed.keys(), ...removed]);
      const drifted = included.filter(
        (unit) => unit.resource.generation === unit.resource.observedGeneration && unit.resource.phase === 'ready' && [...unit.files.keys()].some((file) => touched.has(file)),
      );
      drift = drifted.length > 0 || (waiting.length === 0 && touched.size > 0);
      outcomes.drifted.push(...drifted.map((unit) => unit.resource));

      const release = `${driver.releasesDir}/${new Date().toISOString().replace(/[-:.TZ]/g, '')}-${sha256Hex([...changed.keys(), ...removed].join('\n')).slice(0, 8)}`;
      await driver.beforeCheck?.(connection, included.filter((unit) => [...unit.files.keys()].some((file) => changed.has(file))));
      // One round trip builds the release beside the live one and runs the service's checker on it.
      const check = connection.runsCommands ? driver.check(release, included) : null;
      let result = await connection.stage({
        source: driver.liveLink,
        release,
        files: new Map([...changed, ...(check?.files ?? [])]),
        removed,
        check: check?.argv ?? null,
      });
      step('stage');

      // Per-resource isolation: what the checker pins on a resource is left out (its last
      // good files kept), the rest goes live. Each round removes at least one resource, so
      // this ends; only this rare path takes extra round trips.
      while (result) {
        const verdict = driver.verdict(result, included);
        if (verdict.general) throw new ReleaseRefused(verdict.general);
        if (verdict.byResource.size === 0) break;
        const refused = included.filter((unit) => verdict.byResource.has(unit.resource.id));
        if (refused.length === 0) throw new ReleaseRefused([...verdict.byResource.values()].join('; '));
        for (const unit of refused) {
          outcomes.rejected.push({ resource: unit.resource, message: verdict.byResource.get(unit.resource.id)! });
          const files = [...unit.files.keys()];
          await connection.removeFiles(release, files);
          await connection.restoreFiles(driver.liveLink, release, files.filter((file) => live.has(file)));
          if (hasLiveFiles(unit)) kept.push(unit);
        }
        included = included.filter((unit) => !verdict.byResource.has(unit.resource.id));
        ({ changed, removed, shared } = plan());
        // The shared files (the zone list) are rewritten for what is left, whatever the live tree has.
        const again = driver.check(release, included);
        await connection.writeFiles(release, new Map([...shared, ...(again?.files ?? [])]));
        result = again ? await connection.run(again.argv, { allowFailure: true, timeoutMs: 300_000 }) : null;
      }
      step('validate');

      filesChanged = changed.size + removed.length;
      const changedUnits = included.filter((unit) => [...unit.files.keys()].some((file) => changed.has(file)));
      // One round trip: swap the live link, reload the daemon once, prune old releases.
      await connection.activate({
        link: driver.liveLink,
        release,
        activation: driver.activation({
          changed: changedUnits,
          added: changedUnits.filter((unit) => !hasLiveFiles(unit)),
          sharedChanged: [...shared.keys()].some((file) => changed.has(file)),
          removed: deleting,
          force: false,
        }),
        releasesDir: driver.releasesDir,
        keep: RELEASES_KEPT,
      });
      reloads = 1;
      step('activate');
      outcomes.applied.push(...included.map((unit) => unit.resource));
      outcomes.deleted.push(...deleting);
      await recordOutcomes(this.db, outcomes);
      if (outcomes.rejected.length > 0) this.metrics.countFailure(server.name, driver.service, 'rejected');
      return this.summary(outcomes.rejected.length > 0 ? 'failed' : 'succeeded', outcomes, filesChanged, reloads, drift, outcomes.rejected[0]?.message ?? null);
    } catch (error) {
      if (!(error instanceof TransportError) && !(error instanceof CommandFailed) && !(error instanceof ReleaseRefused)) throw error;
      // The server could not take it: down, unreachable, a daemon that would not reload, or
      // a checker failure no resource can be blamed for. Nothing is lost: the waiting
      // resources fail for now and come back with backoff and jitter (one server down never
      // blocks another: every server has its own jobs). Clients read a plain message; the
      // details, which may name other resources or the server's internals, stay in the job
      // log for sysadmins.
      await this.connections.discard(server);
      this.prepared.delete(server.id);
      const unreachable = error instanceof TransportError;
      const message = unreachable
        ? `The server ${server.name} could not be reached; Ruche retries on its own.`
        : `The server ${server.name} refused the change; Ruche retries on its own (details in the job log).`;
      const retries = waiting
        .filter((resource) => !outcomes.rejected.some((rejected) => rejected.resource.id === resource.id))
        .map((resource) => {
          const attempts = resource.attempts + 1;
          return { resource, message, attempts, nextAttemptAt: new Date(Date.now() + backoffDelayMs(attempts, this.config.reconcileMaxBackoffSeconds * 1000)) };
        });
      await recordOutcomes(this.db, { applied: [], rejected: outcomes.rejected, unreachable: retries, deleted: [], drifted: [] });
      const retryAt = retries.length > 0 ? new Date(Math.min(...retries.map((retry) => retry.nextAttemptAt.getTime()))) : null;
      if (retryAt) await this.state.enqueueReconcile(server.id, driver.service, { runAt: retryAt, trigger: 'retry' });
      // Sysadmins hear of it at once: a metric, an event with the details, an error log line.
      const kind = unreachable ? 'unreachable' : error instanceof ReleaseRefused ? 'release_refused' : 'command_failed';
      this.metrics.countFailure(server.name, driver.service, kind);
      await this.db.getRepository(ServerEvent).insert({ id: newId(), serverId: server.id, service: driver.service, kind, message: error.message.slice(0, 4000), runId });
      this.logger.error({ server: server.name, service: driver.service, kind, err: error }, kind === 'release_refused' ? 'the checker refused the release and no resource explains it' : 'reconcile failed');
      return this.summary('failed', { ...outcomes, unreachable: retries }, 0, 0, drift, error.message);
    }
  }

  private summary(
    status: ReconcileSummary['status'],
    outcomes: Outcomes,
    filesChanged: number,
    reloads: number,
    drift: boolean,
    error: string | null,
  ): ReconcileSummary {
    return {
      status,
      filesChanged,
      applied: outcomes.applied.length,
      failed: outcomes.rejected.length + outcomes.unreachable.length,
      reloads,
      drift,
      error,
    };
  }
}
