import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeHostingClient } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { ENGINES, phaseOf, refusal, unique, type Engine } from '../support/databases.js';

/**
 * Faults a co-op meets, for both database engines: the server going away in the middle of a
 * reconcile, and a worker killed in the middle of a job. Each test makes its own database and
 * user, and leaves the server and the workers as it found them.
 */
let fleet: FleetHarness;
let client: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['mariadb', 'postgresql'] });
  client = await makeHostingClient(fleet.api, fleet.admin);
  expect((await fleet.admin.put(`/api/v1/organizations/${client.organization.id}/quota-overrides`, { databases: 50 })).status).toBeLessThan(300);
});
afterAll(() => fleet?.close());
afterEach(async () => {
  await fleet.server.start();
  await fleet.server.exec(['rm', '-f', '/usr/local/sbin/mariadb', '/usr/local/sbin/runuser']);
  if (!fleet.worker) await fleet.startWorker();
});

/**
 * Makes the engine's client (what Ruche runs on the server) take `seconds` before it starts, so
 * a reconcile is surely under way when the test acts; `untilRestart`: only until the container
 * restarts (/run is a tmpfs). Undone by removing the wrapper.
 */
async function slowClient(engine: Engine, seconds: number, options: { untilRestart?: boolean } = {}): Promise<void> {
  // PostgreSQL's client is reached through runuser (as the postgres user).
  const [wrapper, real] = engine === 'mariadb' ? ['/usr/local/sbin/mariadb', '/usr/bin/mariadb'] : ['/usr/local/sbin/runuser', '/usr/sbin/runuser'];
  const script = `#!/bin/sh\n${options.untilRestart ? '[ -e /run/ruche-slow-client ] && ' : ''}sleep ${seconds}\nexec ${real} "$@"\n`;
  const installed = await fleet.server.exec(['sh', '-c', 'touch /run/ruche-slow-client && cat > "$1" && chmod +x "$1"', 'install', wrapper], { input: script });
  expect(installed.exitCode, installed.stderr).toBe(0);
}

/** A database and a user granted it, made through the API (not waited for). */
async function ask(engine: Engine) {
  const database = await client.caller.post('/api/v1/databases', { organizationId: client.organization.id, engine, name: `f${unique()}` });
  expect(database.status, JSON.stringify(database.body)).toBe(201);
  const password = `pw-${unique()}-${unique()}`;
  const user = await client.caller.post('/api/v1/database-users', { organizationId: client.organization.id, engine, name: `u${unique()}`, password, databases: [database.body.id] });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  return { database: database.body as { id: string; name: string }, user: user.body as { id: string; name: string }, password };
}

const get = (path: string) => client.caller.get(path).then((response) => response.body);

describe.each(ENGINES)('%s', (engine: Engine) => {
  it('fails the waiting resources when the server goes away mid-reconcile, retries with backoff, and converges once it is back', async () => {
    await slowClient(engine, 5, { untilRestart: true });
    const { database, user, password } = await ask(engine);
    await eventually(async () => (await get(`/api/v1/databases/${database.id}`)).phase === 'applying', 20_000, 'the reconcile to start');
    await fleet.server.stop();
    const failed = await phaseOf(client.caller, `/api/v1/databases/${database.id}`, 'failed');
    expect(failed.lastError).toMatch(/could not be reached; Ruche retries on its own/);
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect(Date.parse(failed.nextAttemptAt)).toBeGreaterThan(Date.now() - 1000);
    const runs = await fleet.admin.get(`/api/v1/jobs?status=failed&serverId=${fleet.serverId}`);
    expect(runs.body.data.find((run: { service: string }) => run.service === engine)).toMatchObject({ status: 'failed', error: expect.stringMatching(/cannot reach|SSH|went away|timed out/) });

    await fleet.server.start();
    await phaseOf(client.caller, `/api/v1/databases/${database.id}`, 'ready', 60_000);
    await phaseOf(client.caller, `/api/v1/database-users/${user.id}`, 'ready', 60_000);
    expect(await refusal(fleet.server, engine, { user: user.name, password, database: database.name })).toBeNull();
    expect(await get(`/api/v1/databases/${database.id}`)).toMatchObject({ attempts: 0, lastError: null, nextAttemptAt: null });
  });

  describe('a worker killed in the middle of a job', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const workers: ChildProcess[] = [];
    const spawnWorker = () => {
      const child = spawn(process.execPath, [path.join(root, 'apps/worker/dist/main.js')], {
        env: { ...process.env, DATABASE_URL: fleet.api.config.databaseUrl, RUCHE_DATA_DIR: fleet.api.config.dataDir, RUCHE_WORKER_METRICS_PORT: '0', RUCHE_LOG_LEVEL: process.env.RUCHE_TEST_LOG_LEVEL ?? 'warn' },
        stdio: process.env.RUCHE_TEST_LOG_LEVEL ? 'inherit' : 'ignore',
      });
      workers.push(child);
      return child;
    };
    afterEach(() => {
      for (const child of workers.splice(0)) child.kill('SIGKILL');
    });

    it('leaves the job to another worker, which finishes it', async () => {
      await fleet.worker!.close();
      fleet.worker = null;
      // The engine's client hangs on the server, so the job is surely running when the worker dies.
      await slowClient(engine, 120);
      const first = spawnWorker();
      const { database, user, password } = await ask(engine);
      await eventually(async () => (await get(`/api/v1/databases/${database.id}`)).phase === 'applying', 30_000, 'the job to start');
      const running = await fleet.admin.get(`/api/v1/jobs?status=running&serverId=${fleet.serverId}`);
      expect(running.body.data).toEqual([expect.objectContaining({ service: engine })]);
      first.kill('SIGKILL');
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/mariadb', '/usr/local/sbin/runuser']);
      spawnWorker();
      await phaseOf(client.caller, `/api/v1/databases/${database.id}`, 'ready', 90_000);
      await phaseOf(client.caller, `/api/v1/database-users/${user.id}`, 'ready', 60_000);
      expect(await refusal(fleet.server, engine, { user: user.name, password, database: database.name })).toBeNull();
      const stale = await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=20`);
      expect(stale.body.data.some((run: { error: string | null }) => run.error?.includes('worker running it stopped'))).toBe(true);
    });
  });
});
