import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '@ruche/core';
import { httpGet } from '@ruche/infra/fleet';
import { makeClient, makeLocalServer, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, workerProcesses, type FleetHarness } from '../support/fleet-harness.js';
import type { Caller } from '../support/test-api.js';
import { siteFile } from '../support/server-paths.js';

/**
 * Faults a co-op meets: a server that goes away, a worker killed mid-job, hand edits on a
 * server. Each test makes its own domain and leaves the server and the workers as it found
 * them (running, unpaused, one worker in this process), so any one can run alone.
 */
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web'] });
  const organization = await makeOrganization(fleet.admin);
  organizationId = organization.id;
  client = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
  expect((await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { domains: 100, sites: 100 })).status).toBeLessThan(300);
  // Domains' zones go nowhere here (no DNS server): sites only need them to exist.
  await makeLocalServer(fleet.admin, 'dns-elsewhere', ['dns']);
});
afterAll(() => fleet?.close());
afterEach(async () => {
  await fleet.server.start();
  await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
  await fleet.admin.patch(`/api/v1/servers/${fleet.serverId}`, { status: 'active' });
  if (!fleet.worker) await fleet.startWorker();
});

/** A domain of the test's own, for its sites' host names. */
async function ownDomain(): Promise<string> {
  const created = await client.post('/api/v1/domains', { organizationId, name: `faults-${randomBytes(3).toString('hex')}.org` });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.name;
}

/**
 * Makes `nginx -t` take `seconds` on the server (an nginx in front of the real one), so a
 * reconcile is surely under way when the test acts; `untilRestart`: only until the container
 * restarts (/run is a tmpfs). Undone by removing /usr/local/sbin/nginx.
 */
async function slowNginxCheck(seconds: number, options: { untilRestart?: boolean } = {}): Promise<void> {
  const script = `#!/bin/sh\n[ "$1" = -t ] && ${options.untilRestart ? '[ -e /run/ruche-slow-check ] && ' : ''}sleep ${seconds}\nexec /usr/sbin/nginx "$@"\n`;
  const installed = await fleet.server.exec(['sh', '-c', 'touch /run/ruche-slow-check && cat > /usr/local/sbin/nginx && chmod +x /usr/local/sbin/nginx'], { input: script });
  expect(installed.exitCode, installed.stderr).toBe(0);
}

const site = (id: string) => client.get(`/api/v1/sites/${id}`).then((response) => response.body);
const until = (id: string, phase: string, timeoutMs = 30_000) =>
  eventually(async () => ((await site(id)).phase === phase ? site(id) : null), timeoutMs, `site ${id} to be ${phase}`);
const serves = async (host: string) => (await httpGet(fleet.server.ports.http!, { host })).body.includes('hébergé par la coop');

describe('a server that goes away', () => {
  it('fails the waiting resources with a clear error, retries with backoff, and converges once it is back', async () => {
    const domain = await ownDomain();
    // nginx -t is slowed down (until the next start: /run is a tmpfs), so the server is
    // stopped while the reconcile is under way.
    await slowNginxCheck(5, { untilRestart: true });
    const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`down.${domain}`] });
    await eventually(async () => (await site(created.body.id)).phase === 'applying', 20_000, 'the reconcile to start');
    await fleet.server.stop();
    const failed = await until(created.body.id, 'failed');
    // Clients read a plain message; the SSH details are in the job log, for sysadmins.
    expect(failed.lastError).toMatch(/could not be reached; Ruche retries on its own/);
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect(Date.parse(failed.nextAttemptAt)).toBeGreaterThan(Date.now() - 1000);
    // It keeps retrying while the server is down, further apart each time.
    const later = await eventually(async () => {
      const now = await site(created.body.id);
      return now.attempts >= 2 ? now : null;
    }, 30_000, 'a second attempt');
    // Between attempts it is failed; each new attempt shows it applying for a moment.
    expect(['failed', 'applying']).toContain(later.phase);
    // One server down blocks no other: a site placed elsewhere meanwhile goes live.
    const elsewhere = await makeLocalServer(fleet.admin, 'web-elsewhere', ['web']);
    const unaffected = await fleet.admin.post('/api/v1/sites', { organizationId, hostnames: [`elsewhere.${domain}`], serverId: elsewhere.id });
    expect(unaffected.status).toBe(201);
    await until(unaffected.body.id, 'ready', 20_000);
    expect(['failed', 'applying']).toContain((await site(created.body.id)).phase);
    // Draining: no new site is placed there (the next tests need theirs on the container).
    expect((await fleet.admin.patch(`/api/v1/servers/${elsewhere.id}`, { status: 'draining' })).status).toBe(200);
    const runs = await fleet.admin.get(`/api/v1/jobs?status=failed&serverId=${fleet.serverId}`);
    expect(runs.body.data[0]).toMatchObject({ status: 'failed', service: 'web', error: expect.stringMatching(/cannot reach|SSH|timed out/) });

    await fleet.server.start();
    await until(created.body.id, 'ready', 40_000);
    expect(await serves(`down.${domain}`)).toBe(true);
    await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
    expect((await site(created.body.id))).toMatchObject({ attempts: 0, lastError: null, nextAttemptAt: null });
  });

  it('lets a sysadmin retry at once instead of waiting for the backoff', async () => {
    const domain = await ownDomain();
    await fleet.server.stop();
    const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`retry.${domain}`] });
    await until(created.body.id, 'failed');
    await fleet.server.start();
    const asked = Date.now();
    expect((await fleet.admin.post('/api/v1/jobs/retry', { resourceType: 'site', resourceId: created.body.id })).status).toBe(202);
    await until(created.body.id, 'ready', 20_000);
    expect(Date.now() - asked).toBeLessThan(15_000);
    // Clients cannot drive the queue.
    expect((await client.post('/api/v1/jobs/retry', { resourceType: 'site', resourceId: created.body.id })).status).toBe(403);
  });
});

describe('a paused server', () => {
  it('keeps its jobs waiting until it is resumed', async () => {
    const domain = await ownDomain();
    expect((await fleet.admin.patch(`/api/v1/servers/${fleet.serverId}`, { status: 'paused' })).status).toBe(200);
    const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`paused.${domain}`] });
    // The worker took the job, saw the server paused and put it back for later: nothing was applied.
    const queued = await eventually(async () => {
      const jobs = (await fleet.admin.get(`/api/v1/jobs?status=queued&serverId=${fleet.serverId}`)).body.data;
      return jobs.length === 1 && Date.parse(jobs[0].runAt) > Date.now() ? jobs : null;
    }, 20_000, 'the job to be put back until the server is resumed');
    expect(queued).toEqual([expect.objectContaining({ status: 'queued', service: 'web', serverId: fleet.serverId })]);
    expect((await site(created.body.id)).phase).toBe('pending');
    await fleet.admin.patch(`/api/v1/servers/${fleet.serverId}`, { status: 'active' });
    await until(created.body.id, 'ready', 20_000);
  });
});

describe('hand edits on a server', () => {
  it('are repaired by the next resync, which records the drift', async () => {
    const domain = await ownDomain();
    const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`drift.${domain}`] });
    await until(created.body.id, 'ready');
    const file = `/etc/nginx/ruche/${siteFile(created.body.id)}`;
    const original = await fleet.server.exec(['sha256sum', file]);
    await fleet.server.exec(['sh', '-c', 'echo "# edited by hand" >> "$1"', 'edit', file]);
    expect((await fleet.server.exec(['sha256sum', file])).stdout).not.toBe(original.stdout);

    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    await eventually(async () => (await fleet.server.exec(['sha256sum', file])).stdout === original.stdout, 20_000, 'the file to be restored');
    const drift = await eventually(async () => {
      const events = await fleet.admin.get(`/api/v1/resource-events?resourceId=${created.body.id}`);
      return events.body.data.find((event: { kind: string }) => event.kind === 'drift');
    }, 20_000, 'a drift event');
    expect(drift.message).toMatch(/changed on the server by hand/);
    const runs = await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=5`);
    expect(runs.body.data.find((run: { drift: boolean }) => run.drift)).toMatchObject({ trigger: 'resync', status: 'succeeded', filesChanged: 1, reloads: 1 });
    expect((await site(created.body.id)).phase).toBe('ready');
  });
});

describe('observability', () => {
  it('lists jobs with durations, and exports reconcile metrics', async () => {
    // One reconcile that succeeds, and one that cannot reach the server.
    const domain = await ownDomain();
    const ok = await client.post('/api/v1/sites', { organizationId, hostnames: [`metrics.${domain}`] });
    await until(ok.body.id, 'ready');
    await fleet.server.stop();
    const down = await client.post('/api/v1/sites', { organizationId, hostnames: [`metrics-down.${domain}`] });
    await until(down.body.id, 'failed');
    await fleet.server.start();
    const jobs = await fleet.admin.get('/api/v1/jobs?status=succeeded&limit=3');
    expect(jobs.status).toBe(200);
    expect(jobs.body.data[0]).toMatchObject({ task: 'reconcile', status: 'succeeded', durationMs: expect.any(Number), finishedAt: expect.any(String) });
    const workerMetrics = await fleet.worker!.get(Metrics).registry.metrics();
    expect(workerMetrics).toMatch(/ruche_reconcile_duration_seconds_count\{service="web",server="[^"]+",status="succeeded"\} \d+/);
    expect(workerMetrics).toMatch(/ruche_reconcile_failures_total\{service="web",server="[^"]+",kind="unreachable"\} [1-9]/);
    const apiMetrics = await fleet.api.anonymous.get('/metrics');
    expect(apiMetrics.body).toMatch(/ruche_reconcile_queue_depth \d+/);
    expect(apiMetrics.body).toMatch(/ruche_reconcile_queue_oldest_seconds \d/);
  });
});

describe('a worker killed in the middle of a job', () => {
  let workers: ReturnType<typeof workerProcesses>;
  const spawnWorker = () => workers.spawn();
  beforeAll(() => {
    workers = workerProcesses(fleet);
  });
  afterEach(() => workers.killAll());

  it('leaves the job to another worker, which finishes it', async () => {
    const domain = await ownDomain();
    await fleet.worker!.close();
    fleet.worker = null;
    // nginx -t hangs on the server, so the job is surely running when the worker dies.
    await slowNginxCheck(120);
    const first = spawnWorker();
    const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`killed.${domain}`] });
    await eventually(async () => (await site(created.body.id)).phase === 'applying', 20_000, 'the job to start');
    const running = await fleet.admin.get(`/api/v1/jobs?status=running&serverId=${fleet.serverId}`);
    expect(running.body.data).toHaveLength(1);
    first.kill('SIGKILL');
    await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
    spawnWorker();
    await until(created.body.id, 'ready', 60_000);
    expect(await serves(`killed.${domain}`)).toBe(true);
    const stale = await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=10`);
    expect(stale.body.data.some((run: { error: string | null }) => run.error?.includes('worker running it stopped'))).toBe(true);
  });

  it('lets a worker stopped with SIGTERM finish the job it holds before it exits', async () => {
    const domain = await ownDomain();
    // The only worker is one process of its own, which takes the next job.
    await fleet.worker!.close();
    fleet.worker = null;
    const holder = spawnWorker();
    await slowNginxCheck(3);
    try {
      const created = await client.post('/api/v1/sites', { organizationId, hostnames: [`sigterm.${domain}`] });
      await eventually(async () => (await site(created.body.id)).phase === 'applying', 20_000, 'the job to start');
      const exited = new Promise<number | null>((resolve) => holder.once('exit', (code) => resolve(code)));
      holder.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Finished by that worker before it went: nobody else was running.
      expect((await site(created.body.id)).phase).toBe('ready');
      expect(await serves(`sigterm.${domain}`)).toBe(true);
    } finally {
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
    }
  });

  it('runs one reconcile of a server at a time, whatever the number of workers', async () => {
    const domain = await ownDomain();
    spawnWorker();
    spawnWorker(); // two worker processes compete with the one in this process
    const since = new Date();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, index) => client.post('/api/v1/sites', { organizationId, hostnames: [`burst-${index}.${domain}`] })),
    );
    for (const created of burst) expect(created.status).toBe(201);
    for (const created of burst) await until(created.body.id, 'ready', 60_000);
    const runs = await fleet.api.db.query(
      `SELECT started_at, finished_at FROM reconcile_runs WHERE server_id = $1 AND service = 'web' AND started_at >= $2 ORDER BY started_at`,
      [fleet.serverId, since],
    );
    expect(runs.length).toBeGreaterThan(0);
    for (let index = 1; index < runs.length; index++) {
      expect(runs[index - 1].finished_at, 'every run finished').not.toBeNull();
      expect(runs[index].started_at.getTime(), `run ${index} started before run ${index - 1} ended`).toBeGreaterThanOrEqual(runs[index - 1].finished_at.getTime());
    }
    for (const created of burst.slice(0, 3)) expect(await serves(created.body.hostnames[0])).toBe(true);
  });
});
