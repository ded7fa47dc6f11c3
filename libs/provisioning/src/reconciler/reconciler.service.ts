import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, JobHandler, LOGGER, newId, TransactionalConnection, type Config, type JobInfo, type JobPayload, type Logger } from '@ruche/core';
import {
  DesiredStateService,
  noOutcomes,
  RECONCILE_JOB,
  ResourceOutcomes,
  ServersService,
  type Outcomes,
  type ReconcileTrigger,
  type ResourceState,
  type Server,
  type Service,
} from '@ruche/hosting';
import { DriverRegistry } from '../drivers/driver-registry.js';
import { wholeReleaseRefusal, type FileDriver, type ServiceDriver, type StateDriver } from '../drivers/driver.js';
import { CommandFailed, NewerLayout, newReleasePath, sha256Hex, TransportError, type ServerConnection } from '../transports/connection.js';
import { ConnectionPool } from '../transports/connection-pool.service.js';
import { ProvisioningMetrics } from '../operations/provisioning-metrics.js';
import { ServerEvent } from '../operations/server-event.entity.js';
import { backoffDelayMs } from './backoff.js';
import { ReconcileRun, type RunStep } from './reconcile-run.entity.js';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../provisioning.settings.js';
import { changedUnits, isWaiting, planRelease } from './release-plan.js';

/** What one reconcile did, for tests, logs and /api/v1/jobs. */
export interface ReconcileSummary {
  status: 'succeeded' | 'failed' | 'skipped';
  filesChanged: number;
  applied: number;
  failed: number;
  reloads: number;
  drift: boolean;
  error: string | null;
}

/** A checker failure no resource can be blamed for: the release is not activated, and the run is retried. */
class ReleaseRefused extends Error {}

const RELEASES_KEPT = 3;
const PAUSED_RECHECK_MS = 60_000;
const SKIPPED: ReconcileSummary = { status: 'skipped', filesChanged: 0, applied: 0, failed: 0, reloads: 0, drift: false, error: null };

const observedKey = (server: Server, driver: ServiceDriver) => `${server.id}/${driver.service}`;

/** Where the time goes, step by step, for the log line of each run. */
function stepTimer(timings: Record<string, number>) {
  let mark = performance.now();
  return (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
}

/**
 * The reconcile loop, level-triggered like a Kubernetes controller: read the desired state of
 * one service on one server and what the server has, and move the one toward the other. File
 * drivers: render the configuration (only what waits, when the driver can and the live tree
 * is known), compare it by content hash with the live tree, build a release beside it, check
 * it with the daemon's own checker, leave out what the checker refuses, swap it in atomically
 * and reload once. State drivers: read the engine's catalogue,
 * plan, run each resource's idempotent statements on their own. It never trusts that an
 * earlier attempt finished: every run starts from what the server has.
 */
@Injectable()
export class Reconciler {
  /** The services prepared on each server since its connection was last dropped. */
  private readonly prepared = new Map<string, Set<Service>>();
  /**
   * The live tree (path → SHA-256) each (server, service) holds after this process's last run
   * there, and that run's id: the next change-triggered run starts from it instead of hashing
   * every file on the server again. A resync always hashes the server (hand edits are found and
   * repaired there); a run by another worker in between, or a failure, makes it stale. Runs are
   * ordered by their ids (UUIDv7, time-ordered): workers' clocks agree far closer than the
   * length of a run.
   */
  private readonly observed = new Map<string, { runId: string; tree: Map<string, string> }>();

  constructor(
    private readonly db: TransactionalConnection,
    private readonly drivers: DriverRegistry,
    private readonly connections: ConnectionPool,
    private readonly state: DesiredStateService,
    private readonly outcomes: ResourceOutcomes,
    private readonly servers: ServersService,
    private readonly metrics: ProvisioningMetrics,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PROVISIONING_SETTINGS.token) private readonly settings: ProvisioningSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @JobHandler(RECONCILE_JOB)
  async handle(payload: JobPayload<typeof RECONCILE_JOB>, job: JobInfo): Promise<void> {
    await this.reconcile(payload.serverId, payload.service, payload.trigger, job.id);
  }

  async reconcile(serverId: string, service: Service, trigger: ReconcileTrigger = 'change', jobId: string | null = null): Promise<ReconcileSummary> {
    const server = await this.servers.byId(serverId);
    const driver = this.drivers.get(service);
    if (!server || !driver || !server.services.includes(service)) return { ...SKIPPED };
    // A paused server's work waits in the queue (visible in /api/v1/jobs); resuming the
    // server brings it forward.
    if (server.status === 'paused') {
      this.logger.info({ server: server.name, service }, 'server paused: reconcile postponed');
      await this.state.enqueueReconcile(serverId, service, { runAt: new Date(Date.now() + PAUSED_RECHECK_MS), trigger });
      return { ...SKIPPED };
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
    const run = driver.kind === 'file' ? this.runFiles(server, driver, trigger, steps, runId) : this.runState(server, driver, trigger, steps, runId);
    const summary: ReconcileSummary = await run.catch((error: Error) => {
      this.logger.error({ err: error, server: server.name, service }, 'reconcile crashed');
      return { status: 'failed' as const, filesChanged: 0, applied: 0, failed: 0, reloads: 0, drift: false, error: error.message };
    });
    const durationMs = Math.round(performance.now() - started);
    // What no step accounts for is recording the outcomes (and, after a failure, the retries and
    // the server event): the last step, so that the steps add up to the run.
    const stepList: RunStep[] = Object.entries(steps).map(([step, ms]) => ({ step, ms }));
    stepList.push({ step: 'record', ms: Math.max(0, durationMs - stepList.reduce((sum, entry) => sum + entry.ms, 0)) });
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
        steps: stepList,
      },
    );
    this.metrics.observeRun(server.name, service, durationMs / 1000, summary.status, stepList);
    this.logger.info({ server: server.name, service, trigger, ms: durationMs, ...summary, steps: stepList }, 'reconcile finished');
    // Level-triggered: whatever changed while this ran gets another pass right away.
    if (await this.outcomes.hasPendingWork(serverId, service)) await this.state.enqueueReconcile(serverId, service);
    return summary;
  }

  /** The server's connection, its set-up done: once per server while it stays reachable (a failure forgets it), and at every resync. */
  private async connect(server: Server, driver: ServiceDriver, trigger: ReconcileTrigger): Promise<ServerConnection> {
    const connection = await this.connections.get(server);
    const prepared = this.prepared.get(server.id) ?? new Set<Service>();
    if (!prepared.has(driver.service) || trigger === 'resync') {
      // A newer Ruche's releases are not this worker's to read or write (each run's stage checks too).
      if (driver.kind === 'file') await connection.claimLayout(driver.releasesDir);
      await driver.prepare(connection);
      prepared.add(driver.service);
      this.prepared.set(server.id, prepared);
    }
    return connection;
  }

  private async runFiles(server: Server, driver: FileDriver, trigger: ReconcileTrigger, timings: Record<string, number>, runId: string): Promise<ReconcileSummary> {
    const step = stepTimer(timings);
    // Knowing the live tree, a driver that can renders only what waits (its other units' files
    // are what this worker last wrote for their unchanged desired state).
    const known = await this.knownTree(server, driver, trigger, runId);
    step('known');
    const { resources, render, keptFiles: readKeptFiles } =
      known && driver.loadWaiting ? await driver.loadWaiting(server, this.config) : { ...(await driver.load(server, this.config)), keptFiles: undefined };
    step('load');
    const waiting = resources.filter(isWaiting);
    const deleting = resources.filter((r) => r.phase === 'deleting');
    // Marking what waits as applying is a database write the server's work does not need: it
    // runs beside the render and the stage (0.4 s for 10,000 zones), and is over before a new
    // release is activated and before any outcome is recorded (a late mark would hide one).
    const marking = this.outcomes.markApplying(waiting.filter((r) => r.phase !== 'deleting')).then(
      () => null,
      (error: unknown) => error,
    );
    const marked = async () => {
      const error = await marking;
      if (error) throw error;
      step('mark');
    };
    const outcomes = noOutcomes();
    let drift = false;
    try {
      const connection = await this.connect(server, driver, trigger);
      step('prepare');
      const rendered = render();
      outcomes.rejected.push(...rendered.refused.map(({ resource, message }) => ({ resource, message })));
      step('render');
      const live = known ?? (await connection.hashTree(driver.liveLink));
      step('observe');
      // A new unit the driver can serve before its release is checked answers now (a click
      // stays fast on a server holding thousands of units); the activation takes over. Only a
      // head start: if it fails, the release goes on as without it.
      const fresh = rendered.units.filter((unit) => isWaiting(unit.resource) && ![...unit.files.keys()].some((file) => live.has(file)));
      const early = connection.runsCommands && fresh.length > 0 ? driver.serveEarly?.(fresh) : null;
      if (early) {
        const served = await connection.run(early.argv, { allowFailure: true, timeoutMs: 60_000, ...(early.input !== undefined ? { input: early.input } : {}) });
        if (served.exitCode !== 0) this.logger.warn({ server: server.name, service: driver.service, stderr: served.stderr.slice(0, 2000) }, 'new units could not be served ahead of their release');
        step('early');
      }
      const keptFiles = await readKeptFiles?.();
      const earlierLayout = live.size > 0 && driver.isCurrentLayout?.(live) === false;
      let plan = planRelease({ rendered, live, resources, keptFiles, earlierLayout });
      step('plan');

      if (plan.changed.size === 0 && plan.removed.length === 0) {
        // The server already has it all. A resource still waiting may follow a swap whose
        // reload failed: make the daemon load the live release before calling it ready.
        let reloads = 0;
        if (waiting.length > 0) {
          const activation = driver.activation({ changed: [], added: [], sharedChanged: false, removed: deleting, force: true });
          await connection.run(activation.argv, { timeoutMs: 300_000, ...(activation.input !== undefined ? { input: activation.input } : {}) });
          reloads = 1;
          step('activate');
        }
        this.observed.set(observedKey(server, driver), { runId, tree: live });
        outcomes.applied.push(...plan.included.map((unit) => unit.resource));
        outcomes.deleted.push(...deleting);
        await marked();
        await this.outcomes.record(outcomes);
        return this.summary('succeeded', outcomes, 0, reloads, false, null);
      }

      drift = plan.drift;
      const release = newReleasePath(driver.releasesDir);
      await driver.beforeCheck?.(connection, changedUnits(plan));
      // One round trip builds the release beside the live one and runs the service's checker on it.
      const check = connection.runsCommands ? driver.check(release, plan.included) : null;
      let result = await connection.stage({
        source: driver.liveLink,
        release,
        files: new Map([...plan.changed, ...(check?.files ?? [])]),
        removed: plan.removed,
        check: check?.argv ?? null,
        shared: driver.sharedFolder ?? null,
      });
      step('stage');
      // What the release holds, kept in step with every change made to it below (a checker's
      // own files are gone once it has run).
      const tree = new Map(live);
      for (const file of plan.removed) tree.delete(file);
      for (const [file, content] of plan.changed) tree.set(file, sha256Hex(content));

      // Per-resource isolation: what the checker pins on a resource is left out (its last
      // good files kept), the rest goes live; a kept resource whose last good files the
      // checker now refuses is taken off the server. Each round removes at least one resource
      // from the release, so this ends; only this rare path takes extra round trips.
      const refusedNow = new Set<string>();
      const dropped = new Set<string>();
      while (result) {
        const verdict = driver.verdict(result, plan.included);
        const refusal = wholeReleaseRefusal(verdict, result, driver.service);
        if (refusal) throw new ReleaseRefused(refusal);
        if (verdict.byResource.size === 0) break;
        const refused = plan.included.filter((unit) => verdict.byResource.has(unit.resource.id));
        const stale = plan.kept.filter((unit) => verdict.byResource.has(unit.resource.id));
        if (refused.length === 0 && stale.length === 0) throw new ReleaseRefused([...verdict.byResource.values()].join('; '));
        for (const unit of stale) {
          const message = verdict.byResource.get(unit.resource.id)!;
          // (Refused earlier in this run, its restored files now refused too: one outcome, the last.)
          const earlier = outcomes.rejected.findIndex((rejected) => rejected.resource.id === unit.resource.id);
          if (earlier >= 0) outcomes.rejected.splice(earlier, 1);
          outcomes.rejected.push({ resource: unit.resource, message: `its last good configuration no longer passes the check and was taken off the server: ${message}` });
          dropped.add(unit.resource.id);
          const files = [...unit.files.keys()].filter((file) => tree.has(file));
          await connection.removeFiles(release, files, driver.sharedFolder);
          for (const file of files) tree.delete(file);
        }
        for (const unit of refused) {
          outcomes.rejected.push({ resource: unit.resource, message: verdict.byResource.get(unit.resource.id)! });
          refusedNow.add(unit.resource.id);
          const files = [...unit.files.keys()];
          await connection.removeFiles(release, files, driver.sharedFolder);
          const restored = files.filter((file) => live.has(file));
          await connection.restoreFiles(driver.liveLink, release, restored, driver.sharedFolder);
          for (const file of files) tree.delete(file);
          for (const file of restored) tree.set(file, live.get(file)!);
        }
        plan = planRelease({ rendered, live, resources, refusedNow, dropped, keptFiles, earlierLayout });
        // The shared files (the zone list) are rewritten for what is left, whatever the live tree has.
        const again = driver.check(release, plan.included);
        await connection.writeFiles(release, new Map([...plan.shared, ...(again?.files ?? [])]), driver.sharedFolder);
        for (const [file, content] of plan.shared) tree.set(file, sha256Hex(content));
        result = again ? await connection.run(again.argv, { allowFailure: true, timeoutMs: 300_000 }) : null;
      }
      step('validate');
      await marked();

      const changed = changedUnits(plan);
      const liveFiles = (unit: (typeof changed)[number]) => [...unit.files.keys()].some((file) => live.has(file));
      // One round trip: swap the live link, reload the daemon once, prune old releases.
      const activated = await connection.activate({
        link: driver.liveLink,
        release,
        activation: driver.activation({
          changed,
          added: changed.filter((unit) => !liveFiles(unit)),
          sharedChanged: [...plan.shared.keys()].some((file) => plan.changed.has(file)),
          sharedFilesChanged: [...plan.shared.keys()].filter((file) => plan.changed.has(file)),
          removed: deleting,
          force: false,
        }),
        releasesDir: driver.releasesDir,
        keep: RELEASES_KEPT,
      });
      step('activate');
      this.observed.set(observedKey(server, driver), { runId, tree });
      outcomes.applied.push(...plan.included.map((unit) => unit.resource));
      outcomes.deleted.push(...deleting);
      outcomes.drifted.push(...plan.drifted.map((unit) => ({ resource: unit.resource, message: 'configuration changed on the server by hand; restored' })));
      await this.outcomes.record(outcomes);
      if (outcomes.rejected.length > 0) this.metrics.countFailure(server.name, driver.service, 'rejected');
      if (activated.cleanupSkipped) await this.cleanupSkipped(server, driver, activated.cleanupSkipped, runId);
      const filesChanged = plan.changed.size + plan.removed.length;
      return this.summary(outcomes.rejected.length > 0 ? 'failed' : 'succeeded', outcomes, filesChanged, 1, drift, outcomes.rejected[0]?.message ?? null);
    } catch (error) {
      step('failed');
      this.observed.delete(observedKey(server, driver));
      const markError = await marking;
      if (markError) this.logger.warn({ server: server.name, service: driver.service, error: String(markError) }, 'could not mark the waiting resources applying');
      return this.failed(server, driver, waiting, outcomes, error, runId, drift);
    }
  }

  /**
   * The server's live tree as this process's previous run left it, when that run was the last
   * one on this (server, service) and nothing asks for a full look; otherwise null, and the run
   * hashes the tree on the server (every file read once).
   */
  private async knownTree(server: Server, driver: FileDriver, trigger: ReconcileTrigger, runId: string): Promise<Map<string, string> | null> {
    const key = observedKey(server, driver);
    const known = this.observed.get(key);
    this.observed.delete(key);
    if (!known || trigger === 'resync') return null;
    const [previous] = await this.db.query<{ id: string }>(
      'SELECT id FROM reconcile_runs WHERE server_id = $1 AND service = $2 AND id < $3 ORDER BY id DESC LIMIT 1',
      [server.id, driver.service, runId],
    );
    return previous?.id === known.runId ? known.tree : null;
  }

  private async runState(server: Server, driver: StateDriver, trigger: ReconcileTrigger, timings: Record<string, number>, runId: string): Promise<ReconcileSummary> {
    const step = stepTimer(timings);
    const { resources, desired } = await driver.load(server, this.config);
    const waiting = resources.filter(isWaiting);
    await this.outcomes.markApplying(waiting.filter((r) => r.phase !== 'deleting'));
    const outcomes = noOutcomes();
    try {
      step('load');
      const connection = await this.connect(server, driver, trigger);
      step('prepare');
      const observed = await driver.observe(connection);
      step('observe');
      const plan = driver.plan(desired, observed, resources);
      step('plan');
      const results = plan.changes.length > 0 ? await driver.apply(connection, plan.changes) : new Map();
      step('apply');
      for (const change of plan.changes) {
        const result = results.get(change.resource.id);
        if (!result) continue;
        if (!result.ok) {
          outcomes.rejected.push({ resource: change.resource, message: result.message });
          continue;
        }
        if (change.resource.phase === 'deleting') outcomes.deleted.push(change.resource);
        else outcomes.applied.push(change.resource);
        if (change.drift) outcomes.drifted.push({ resource: change.resource, message: change.drift });
      }
      for (const resource of plan.kept) {
        if (resource.phase === 'deleting') outcomes.deleted.push(resource);
        else outcomes.applied.push(resource);
      }
      await this.outcomes.record(outcomes);
      if (outcomes.rejected.length > 0) this.metrics.countFailure(server.name, driver.service, 'rejected');
      const drift = outcomes.drifted.length > 0;
      return this.summary(outcomes.rejected.length > 0 ? 'failed' : 'succeeded', outcomes, plan.changes.length, 0, drift, outcomes.rejected[0]?.message ?? null);
    } catch (error) {
      step('failed');
      return this.failed(server, driver, waiting, outcomes, error, runId, false);
    }
  }

  /**
   * The server could not take it: down, unreachable, a daemon that would not reload, or a
   * checker failure no resource can be blamed for. Nothing is lost: the waiting resources fail
   * for now and come back with backoff and jitter (one server down never blocks another: every
   * server has its own jobs). Clients read a plain message; the details, which may name other
   * resources or the server's internals, go to sysadmins.
   */
  private async failed(server: Server, driver: ServiceDriver, waiting: ResourceState[], outcomes: Outcomes, error: unknown, runId: string, drift: boolean): Promise<ReconcileSummary> {
    if (!(error instanceof TransportError) && !(error instanceof CommandFailed) && !(error instanceof ReleaseRefused) && !(error instanceof NewerLayout)) throw error;
    await this.connections.discard(server);
    // Every service is prepared again, which may move a live tree: none is known any more.
    this.prepared.delete(server.id);
    for (const key of this.observed.keys()) if (key.startsWith(`${server.id}/`)) this.observed.delete(key);
    const unreachable = error instanceof TransportError;
    const message = unreachable
      ? `The server ${server.name} could not be reached; Ruche retries on its own.`
      : `The server ${server.name} refused the change; Ruche retries on its own (details in the job log).`;
    const retries = waiting
      .filter((resource) => !outcomes.rejected.some((rejected) => rejected.resource.id === resource.id))
      .map((resource) => {
        const attempts = resource.attempts + 1;
        return { resource, message, attempts, nextAttemptAt: new Date(Date.now() + backoffDelayMs(attempts, this.settings.reconcileMaxBackoffSeconds * 1000)) };
      });
    await this.outcomes.record({ ...noOutcomes(), rejected: outcomes.rejected, unreachable: retries });
    const retryAt = retries.length > 0 ? new Date(Math.min(...retries.map((retry) => retry.nextAttemptAt.getTime()))) : null;
    if (retryAt) await this.state.enqueueReconcile(server.id, driver.service, { runAt: retryAt, trigger: 'retry' });
    // Sysadmins hear of it at once: a metric, an event with the details, an error log line.
    const kind = unreachable ? 'unreachable' : error instanceof ReleaseRefused ? 'release_refused' : 'command_failed';
    this.metrics.countFailure(server.name, driver.service, kind);
    await this.db.getRepository(ServerEvent).insert({ id: newId(), serverId: server.id, service: driver.service, kind, message: error.message.slice(0, 4000), runId });
    this.logger.error({ server: server.name, service: driver.service, kind, err: error }, kind === 'release_refused' ? 'the checker refused the release and no resource explains it' : 'reconcile failed');
    return this.summary('failed', { ...outcomes, unreachable: retries }, 0, 0, drift, error.message);
  }

  /**
   * The release is live, but old releases' shared subfolders could not be removed: nothing is
   * wrong yet, but the server's disk fills at each change until someone looks. Sysadmins hear
   * of it as of a failure (a metric and a log line at each run, an event unless the server's
   * last event for the service said so within the hour: a busy server changes all day); the
   * run succeeds.
   */
  private async cleanupSkipped(server: Server, driver: ServiceDriver, message: string, runId: string): Promise<void> {
    this.metrics.countFailure(server.name, driver.service, 'cleanup_skipped');
    this.logger.warn({ server: server.name, service: driver.service, message }, 'old releases could not be cleaned up');
    // (What went live is recorded already: a notice that cannot be written never fails the run.)
    await this.db
      .query(
        `INSERT INTO server_events (id, server_id, service, kind, message, run_id)
         SELECT $1, $2, $3, 'cleanup_skipped', $4, $5
          WHERE NOT EXISTS (SELECT 1 FROM (SELECT kind, at FROM server_events WHERE server_id = $2 AND service = $3 ORDER BY id DESC LIMIT 1) AS last
                             WHERE last.kind = 'cleanup_skipped' AND last.at > now() - interval '1 hour')`,
        [newId(), server.id, driver.service, message, runId],
      )
      .catch((error: unknown) => this.logger.warn({ server: server.name, service: driver.service, error: String(error) }, 'could not record the cleanup_skipped event'));
  }

  private summary(status: ReconcileSummary['status'], outcomes: Outcomes, filesChanged: number, reloads: number, drift: boolean, error: string | null): ReconcileSummary {
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
