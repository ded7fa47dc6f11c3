import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger } from '@ruche/core';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeHostingClient, makeLocalServer } from '../support/factories.js';
import { eventually } from '../support/fleet-harness.js';

/** The reconciler with a worker, on `local` servers (folders): what `npm start` runs. */
let api: TestApi;
let admin: Caller;
let worker: INestApplicationContext;

beforeAll(async () => {
  api = await startTestApi({ RUCHE_WORKER_METRICS_PORT: '0' });
  admin = await api.admin();
  worker = await createWorker(api.config, createLogger('silent'), api.config.databaseUrl!);
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await api?.close();
});

describe('a server’s set-up', () => {
  it('runs once while the server stays reachable, and again at each resync', async () => {
    const web = await makeLocalServer(admin, 'web-prepare', ['web']);
    await makeLocalServer(admin, 'dns-prepare', ['dns']);
    const { organization, caller } = await makeHostingClient(api, admin);
    await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'prepared-once.org' });
    const log = path.join(api.config.dataDir, 'servers', web.name, 'ruche-commands.log');
    const prepares = () => readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"mkdir","-p","--","/etc/nginx/ruche.releases"')).length;
    for (const name of ['one', 'two', 'three']) {
      const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`${name}.prepared-once.org`] });
      await eventually(async () => (await caller.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'ready', 20_000, `site ${name} to be ready`);
    }
    expect(prepares()).toBe(1);
    expect((await admin.post(`/api/v1/servers/${web.id}/resync`)).status).toBe(202);
    await eventually(async () => prepares() === 2, 20_000, 'the resync to set the server up again');
  });
});
