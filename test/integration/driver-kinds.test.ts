import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, Metrics, type Config } from '@ruche/core';
import { DesiredStateReader, HostingModule, type DesiredDatabase, type ResourceState, type Server } from '@ruche/hosting';
import { Driver, renderEach, type FileDriver, type ServerConnection, type StateChange, type StateDriver, type StatePlan, type StateResult } from '@ruche/provisioning';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeHostingClient, makeLocalServer } from '../support/factories.js';
import { eventually } from '../support/fleet-harness.js';

/**
 * Adding a driver changes no reconciler code: a fake driver of each kind, written here against
 * the public contract and registered like any other (it takes its service over from the real
 * one), gets the reconciler's whole behaviour: per-resource outcomes, isolation, drift
 * detection and repair, deletion, backoff when the server cannot be reached.
 */

/** A file driver: one text file per site. */
@Injectable()
@Driver({ override: true })
class FakeFileDriver implements FileDriver {
  readonly kind = 'file' as const;
  readonly service = 'web' as const;
  readonly resourceTypes = ['site' as const];
  readonly liveLink = '/etc/fake-web/live';
  readonly releasesDir = '/etc/fake-web/releases';

  constructor(private readonly desired: DesiredStateReader) {}

  async load(server: Server, _config: Config) {
    const sites = await this.desired.sites(server.id);
    return {
      resources: sites.map((site) => site.state),
      render: () =>
        renderEach(sites, {
          place: (site) => ({ path: `${site.state.id}.txt`, data: null }),
          text: (site) => `serves ${site.hostnames.join(' ')}\n`,
          refuses: (error): error is Error => false && error instanceof Error,
        }),
    };
  }
  async prepare(): Promise<void> {}
  check() {
    return null;
  }
  verdict() {
    return { byResource: new Map<string, string>(), general: null };
  }
  activation() {
    return { argv: ['fake-reload'] };
  }
}

/** The "engine" of the fake state driver: databases and the grants on them, in memory. */
const engine = { reachable: true, databases: new Map<string, Set<string>>(), undroppable: new Set<string>() };

type Step = { create: string } | { drop: string } | { revoke: { database: string; grantee: string } };
type Observed = Map<string, Set<string>>;

/** A state driver: observes the engine, plans (pure), applies each resource's steps on its own. */
@Injectable()
@Driver({ override: true })
class FakeStateDriver implements StateDriver<DesiredDatabase[], Observed, Step> {
  readonly kind = 'state' as const;
  readonly service = 'mariadb' as const;
  readonly resourceTypes = ['database' as const];

  constructor(private readonly desired: DesiredStateReader) {}

  async load(server: Server, _config: Config) {
    const databases = await this.desired.databases(server.id, 'mariadb');
    return { resources: databases.map((database) => database.state), desired: databases };
  }
  async prepare(): Promise<void> {}
  async observe(_connection: ServerConnection): Promise<Observed> {
    if (!engine.reachable) {
      const { TransportError } = await import('../../libs/provisioning/src/transports/connection.js');
      throw new TransportError('the fake engine is down');
    }
    return new Map([...engine.databases].map(([name, grants]) => [name, new Set(grants)]));
  }
  plan(desired: DesiredDatabase[], observed: Observed): StatePlan<Step> {
    const plan: StatePlan<Step> = { changes: [], kept: [] };
    for (const database of desired) {
      const present = observed.get(database.name);
      if (database.state.phase === 'deleting') {
        if (present) plan.changes.push({ resource: database.state, steps: [{ drop: database.name }] });
        else plan.kept.push(database.state);
      } else if (!present) {
        plan.changes.push({ resource: database.state, steps: [{ create: database.name }] });
      } else if (present.size > 0) {
        // No grant is ever desired here: any is made by hand.
        plan.changes.push({ resource: database.state, steps: [...present].map((grantee) => ({ revoke: { database: database.name, grantee } })), drift: `grants added by hand revoked: ${[...present].join(', ')}` });
      } else {
        plan.kept.push(database.state);
      }
    }
    return plan;
  }
  async apply(_connection: ServerConnection, changes: ReadonlyArray<StateChange<Step>>): Promise<Map<string, StateResult>> {
    const results = new Map<string, StateResult>();
    for (const change of changes) {
      if (change.resource.label.endsWith('_refused')) {
        results.set(change.resource.id, { ok: false, message: `the engine refuses ${change.resource.label}` });
        continue;
      }
      if (change.steps.some((step) => 'drop' in step && engine.undroppable.has(step.drop))) {
        results.set(change.resource.id, { ok: false, message: `${change.resource.label} could not be dumped, so it was not removed` });
        continue;
      }
      for (const step of change.steps) {
        if ('create' in step) engine.databases.set(step.create, new Set());
        else if ('drop' in step) engine.databases.delete(step.drop);
        else engine.databases.get(step.revoke.database)?.delete(step.revoke.grantee);
      }
      results.set(change.resource.id, { ok: true });
    }
    return results;
  }
}

let api: TestApi;
let admin: Caller;
let worker: INestApplicationContext;
let client: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  api = await startTestApi({ RUCHE_WORKER_METRICS_PORT: '0', RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: '2' });
  admin = await api.admin();
  worker = await createWorker(api.config, createLogger(process.env.RUCHE_TEST_LOG_LEVEL ?? 'silent'), api.config.databaseUrl!, [
    { module: class FakeDrivers {}, imports: [HostingModule], providers: [FakeFileDriver, FakeStateDriver] },
  ]);
  await makeLocalServer(admin, 'fake-web', ['web']);
  await makeLocalServer(admin, 'fake-dns', ['dns']);
  await makeLocalServer(admin, 'fake-db', ['mariadb']);
  client = await makeHostingClient(api, admin);
  await admin.put(`/api/v1/organizations/${client.organization.id}/quota-overrides`, { databases: 20 });
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await api?.close();
});

const phaseOf = (path: string, phase: string) =>
  eventually(async () => {
    const now = (await client.caller.get(path)).body;
    return now.phase === phase ? now : null;
  }, 20_000, `${path} to be ${phase}`);
const events = async (id: string) => (await admin.get(`/api/v1/resource-events?resourceId=${id}`)).body.data as Array<{ kind: string; message: string | null }>;

describe('a file driver added without touching the reconciler', () => {
  it('takes sites live, and repairs a hand edit at the next resync with a drift event', async () => {
    await client.caller.post('/api/v1/domains', { organizationId: client.organization.id, name: 'fake-files.org' });
    const site = (await client.caller.post('/api/v1/sites', { organizationId: client.organization.id, hostnames: ['fake-files.org'] })).body;
    await phaseOf(`/api/v1/sites/${site.id}`, 'ready');
    const file = path.join(api.config.dataDir, 'servers/fake-web/etc/fake-web/live', `${site.id}.txt`);
    expect(readFileSync(file, 'utf8')).toBe('serves fake-files.org\n');
    const server = (await admin.get('/api/v1/servers?limit=50')).body.data.find((s: { name: string }) => s.name === 'fake-web');
    // The run that took it live says where its time went, step by step, in the order they ran.
    const runs = (await admin.get(`/api/v1/jobs?status=succeeded&serverId=${server.id}&limit=20`)).body.data as Array<{ filesChanged: number; durationMs: number; steps: Array<{ step: string; ms: number }> }>;
    const release = runs.find((run) => run.filesChanged > 0)!;
    expect(release.steps.map((entry) => entry.step)).toEqual(['known', 'load', 'prepare', 'render', 'observe', 'plan', 'stage', 'validate', 'mark', 'activate', 'record']);
    for (const { ms } of release.steps) expect(ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(release.steps.reduce((sum, entry) => sum + entry.ms, 0) - release.durationMs)).toBeLessThanOrEqual(release.steps.length);
    // And the worker counts each step's time for Prometheus (where a server's runs spend it).
    const metrics = await worker.get(Metrics).registry.metrics();
    for (const step of ['load', 'stage', 'activate']) expect(metrics).toMatch(new RegExp(`ruche_reconcile_step_seconds_total\\{service="web",server="fake-web",step="${step}"\\} \\d`));
    writeFileSync(file, 'edited by hand\n');
    await admin.post(`/api/v1/servers/${server.id}/resync`);
    await eventually(async () => readFileSync(file, 'utf8') === 'serves fake-files.org\n', 20_000, 'the file to be restored');
    await eventually(async () => (await events(site.id)).some((event) => event.kind === 'drift'), 20_000, 'a drift event');
  });
});

describe('a state driver added without touching the reconciler', () => {
  const database = async (name: string) => (await client.caller.post('/api/v1/databases', { organizationId: client.organization.id, engine: 'mariadb', name })).body as { id: string; name: string };

  it('applies each resource on its own: one the engine refuses fails with its words, the others go ready', async () => {
    const good = await database('good');
    const refused = await database('refused');
    await phaseOf(`/api/v1/databases/${good.id}`, 'ready');
    const failed = await phaseOf(`/api/v1/databases/${refused.id}`, 'failed');
    expect(failed.lastError).toBe(`the engine refuses ${refused.name}`);
    expect(engine.databases.has(good.name)).toBe(true);
    expect(engine.databases.has(refused.name)).toBe(false);
    // A state driver's run has its own steps.
    const server = (await admin.get('/api/v1/servers?limit=50')).body.data.find((s: { name: string }) => s.name === 'fake-db');
    const runs = (await admin.get(`/api/v1/jobs?serverId=${server.id}&limit=20`)).body.data as Array<{ status: string; resourcesApplied: number; resourcesFailed: number; steps: Array<{ step: string }> | null }>;
    const applied = runs.find((run) => run.resourcesApplied + run.resourcesFailed > 0)!;
    expect(applied.steps!.map((entry) => entry.step)).toEqual(['load', 'prepare', 'observe', 'plan', 'apply', 'record']);
  });

  it('finds what was changed on the engine by hand at the next resync, puts it back, and says so', async () => {
    const watched = await database('watched');
    await phaseOf(`/api/v1/databases/${watched.id}`, 'ready');
    engine.databases.get(watched.name)!.add('intruder');
    const server = (await admin.get('/api/v1/servers?limit=50')).body.data.find((s: { name: string }) => s.name === 'fake-db');
    await admin.post(`/api/v1/servers/${server.id}/resync`);
    const drift = await eventually(async () => (await events(watched.id)).find((event) => event.kind === 'drift'), 20_000, 'a drift event');
    expect(drift.message).toBe('grants added by hand revoked: intruder');
    expect(engine.databases.get(watched.name)!.size).toBe(0);
  });

  it('removes what is deleted, and then the row', async () => {
    const doomed = await database('doomed');
    await phaseOf(`/api/v1/databases/${doomed.id}`, 'ready');
    expect((await client.caller.delete(`/api/v1/databases/${doomed.id}`)).status).toBe(202);
    await eventually(async () => (await client.caller.get(`/api/v1/databases/${doomed.id}`)).status === 404, 20_000, 'the row to go');
    expect(engine.databases.has(doomed.name)).toBe(false);
  });

  it('keeps a deletion the engine refuses: still deleting, with the engine’s words, tried again when staff retry it', async () => {
    const kept = await database('kept');
    await phaseOf(`/api/v1/databases/${kept.id}`, 'ready');
    engine.undroppable.add(kept.name);
    expect((await client.caller.delete(`/api/v1/databases/${kept.id}`)).status).toBe(202);
    const refused = await eventually(async () => {
      const now = (await client.caller.get(`/api/v1/databases/${kept.id}`)).body;
      return now.lastError ? now : null;
    }, 20_000, 'the refusal');
    expect(refused).toMatchObject({ phase: 'deleting', lastError: `${kept.name} could not be dumped, so it was not removed`, attempts: 1 });
    expect(engine.databases.has(kept.name)).toBe(true);
    // It waits: no reconcile queued again and again behind it.
    const server = (await admin.get('/api/v1/servers?limit=50')).body.data.find((s: { name: string }) => s.name === 'fake-db');
    await eventually(async () => (await admin.get(`/api/v1/jobs?status=running&serverId=${server.id}`)).body.data.length === 0, 20_000, 'the run to end');
    expect((await admin.get(`/api/v1/jobs?status=queued&serverId=${server.id}`)).body.data).toEqual([]);

    engine.undroppable.delete(kept.name);
    expect((await admin.post('/api/v1/jobs/retry', { resourceType: 'database', resourceId: kept.id })).status).toBe(202);
    await eventually(async () => (await client.caller.get(`/api/v1/databases/${kept.id}`)).status === 404, 20_000, 'the row to go');
    expect(engine.databases.has(kept.name)).toBe(false);
  });

  it('fails and retries with backoff when the engine cannot be reached, and converges when it is back', async () => {
    engine.reachable = false;
    try {
      const late = await database('late');
      const failed = await phaseOf(`/api/v1/databases/${late.id}`, 'failed');
      expect(failed.lastError).toMatch(/could not be reached; Ruche retries on its own/);
      expect(failed.nextAttemptAt).not.toBeNull();
      // The event is written just after the resource's outcome.
      const unreachable = await eventually(async () => (await admin.get('/api/v1/server-events?kind=unreachable')).body.data[0], 20_000, 'a server event');
      expect(unreachable).toMatchObject({ service: 'mariadb', message: expect.stringContaining('the fake engine is down') });
      // The failed run's steps end with the one that threw (`failed`) and the recording of it.
      const failedRuns = (await admin.get(`/api/v1/jobs?status=failed&serverId=${unreachable.serverId}&limit=5`)).body.data as Array<{ durationMs: number; steps: Array<{ step: string; ms: number }> }>;
      expect(failedRuns[0]!.steps.map((entry) => entry.step).slice(-2)).toEqual(['failed', 'record']);
      engine.reachable = true;
      await phaseOf(`/api/v1/databases/${late.id}`, 'ready');
      expect(engine.databases.has(late.name)).toBe(true);
    } finally {
      engine.reachable = true;
    }
  });
});

export type { ResourceState };
