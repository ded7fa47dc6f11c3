import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger } from '@ruche/core';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeHostingClient, makeLocalServer } from '../support/factories.js';
import { eventually } from '../support/fleet-harness.js';
import { siteFile, subfolder, zoneFile } from '../support/server-paths.js';

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
    const prepares = () => readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('"ruche-nginx-prepare","/etc/nginx/ruche.releases"')).length;
    for (const name of ['one', 'two', 'three']) {
      const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`${name}.prepared-once.org`] });
      await eventually(async () => (await caller.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'ready', 20_000, `site ${name} to be ready`);
    }
    expect(prepares()).toBe(1);
    expect((await admin.post(`/api/v1/servers/${web.id}/resync`)).status).toBe(202);
    await eventually(async () => prepares() === 2, 20_000, 'the resync to set the server up again');
  });
});

describe('a change-triggered reconcile', () => {
  it('starts from the tree its last run left instead of reading every file again; the resync reads them all and repairs a hand edit', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'observed-tree.org' });
    const ready = (id: string, what: string) => eventually(async () => (await caller.get(`/api/v1/sites/${id}`)).body.phase === 'ready', 20_000, what);
    const first = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['one.observed-tree.org'] });
    await ready(first.body.id, 'the first site');
    const server = (await admin.get(`/api/v1/servers/${first.body.serverId}`)).body as { name: string; id: string };
    const file = path.join(api.config.dataDir, 'servers', server.name, 'etc/nginx/ruche', siteFile(first.body.id));
    const original = readFileSync(file, 'utf8');
    // By hand, as `sed -i` would: a new file in place of the old one.
    const edited = `${original}# edited by hand\n`;
    expect(edited).not.toBe(original);
    rmSync(file);
    writeFileSync(file, edited);

    // Placed by a sysadmin on the same server (placement would pick the least loaded one).
    const second = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['two.observed-tree.org'], serverId: server.id });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    await ready(second.body.id, 'the second site');
    // The run for the second site trusted what the first one left: it did not read the first site's file.
    expect(readFileSync(file, 'utf8')).toBe(edited);
    const driftOf = async () => ((await admin.get(`/api/v1/resource-events?resourceId=${first.body.id}`)).body.data as Array<{ kind: string; message: string }>).find((event) => event.kind === 'drift');
    expect(await driftOf()).toBeUndefined();

    expect((await admin.post(`/api/v1/servers/${server.id}/resync`)).status).toBe(202);
    await eventually(async () => readFileSync(file, 'utf8') === original, 20_000, 'the resync to restore the file');
    expect((await eventually(driftOf, 20_000, 'a drift event'))!.message).toMatch(/changed on the server by hand/);
  });
});

describe('a change-triggered reconcile of a driver that can load what waits', () => {
  it('renders and records only the sites waiting to be applied; a deleted site’s file goes and the others stay', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'only-waiting.org' });
    const ready = (id: string, what: string) => eventually(async () => (await caller.get(`/api/v1/sites/${id}`)).body.phase === 'ready', 20_000, what);
    const first = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['a.only-waiting.org'] });
    await ready(first.body.id, 'the first site');
    const server = (await admin.get(`/api/v1/servers/${first.body.serverId}`)).body as { name: string; id: string };
    const ids = [first.body.id as string];
    for (const name of ['b', 'c', 'd']) {
      const site = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`${name}.only-waiting.org`], serverId: server.id });
      expect(site.status, JSON.stringify(site.body)).toBe(201);
      await ready(site.body.id, `site ${name}`);
      ids.push(site.body.id);
    }
    const lastRun = async () =>
      (
        await api.db.query(`SELECT resources_applied, files_changed FROM reconcile_runs WHERE server_id = $1 AND service = 'web' AND status = 'succeeded' ORDER BY id DESC LIMIT 1`, [server.id])
      )[0] as { resources_applied: number; files_changed: number };
    // The run for the fourth site applied that site alone (a full render records all four).
    expect(await lastRun()).toEqual({ resources_applied: 1, files_changed: 1 });

    const live = path.join(api.config.dataDir, 'servers', server.name, 'etc/nginx/ruche');
    const files = () => new Set((readdirSync(path.join(live, 'sites'), { recursive: true }) as string[]).map((file) => `sites/${file}`));
    expect([...files()]).toEqual(expect.arrayContaining(ids.map(siteFile)));
    expect((await caller.delete(`/api/v1/sites/${ids[1]}`)).status).toBe(202);
    await eventually(async () => (await caller.get(`/api/v1/sites/${ids[1]}`)).status === 404, 20_000, 'the site to be deleted');
    expect(files().has(siteFile(ids[1]!))).toBe(false);
    for (const id of [ids[0], ids[2], ids[3]]) expect(files().has(siteFile(id!))).toBe(true);
    expect(await lastRun()).toEqual({ resources_applied: 0, files_changed: 1 });

    // A change of the server that the shared server block renders (an IPv6 address, or none)
    // goes live with the next run.
    const { publicIpv6 } = (await admin.get(`/api/v1/servers/${server.id}`)).body as { publicIpv6: string | null };
    expect((await admin.patch(`/api/v1/servers/${server.id}`, { publicIpv6: publicIpv6 === null ? '2001:db8::77' : null })).status).toBe(200);
    const listensOnIpv6 = () => readFileSync(path.join(live, 'http.conf'), 'utf8').includes('listen [::]:80;');
    await eventually(async () => listensOnIpv6() === (publicIpv6 === null), 20_000, 'the server block to follow the address');
  });
});

describe('a change-triggered DNS reconcile', () => {
  it('renders and checks only the zones waiting to be applied; the zone list still names every zone the server keeps', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const ready = (id: string, what: string) => eventually(async () => (await caller.get(`/api/v1/domains/${id}`)).body.phase === 'ready', 20_000, what);
    const first = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'zone-one.org' });
    await ready(first.body.id, 'the first zone');
    const server = (await admin.get(`/api/v1/servers/${first.body.serverId}`)).body as { name: string; id: string };
    const second = await admin.post('/api/v1/domains', { organizationId: organization.id, name: 'zone-two.org', serverId: server.id });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    await ready(second.body.id, 'the second zone');
    const lastRun = async () =>
      (
        await api.db.query(`SELECT resources_applied, files_changed FROM reconcile_runs WHERE server_id = $1 AND service = 'dns' AND status = 'succeeded' ORDER BY id DESC LIMIT 1`, [server.id])
      )[0] as { resources_applied: number; files_changed: number };
    const live = path.join(api.config.dataDir, 'servers', server.name, 'etc/knot/ruche');
    const listed = () => [...readFileSync(path.join(live, 'knot.conf'), 'utf8').matchAll(/domain: (\S+)/g)].map((match) => match[1]);
    expect(listed()).toEqual(expect.arrayContaining(['zone-one.org', 'zone-two.org']));

    // A record on the first zone: that zone alone is rendered and recorded; the list is unchanged.
    const record = await caller.post(`/api/v1/domains/${first.body.id}/records`, { type: 'A', name: 'studio', value: '192.0.2.5' });
    expect(record.status).toBe(201);
    await eventually(async () => readFileSync(path.join(live, zoneFile('zone-one.org')), 'utf8').includes('192.0.2.5'), 20_000, 'the record to be written');
    await ready(first.body.id, 'the changed zone');
    // Its zone file and the serials file the activation waits on.
    expect(await lastRun()).toEqual({ resources_applied: 1, files_changed: 2 });
    expect(listed()).toEqual(expect.arrayContaining(['zone-one.org', 'zone-two.org']));

    // The second zone goes: off the list, its file removed; the first stays.
    expect((await caller.delete(`/api/v1/domains/${second.body.id}`)).status).toBe(202);
    await eventually(async () => (await caller.get(`/api/v1/domains/${second.body.id}`)).status === 404, 20_000, 'the zone to be deleted');
    expect(listed()).toContain('zone-one.org');
    expect(listed()).not.toContain('zone-two.org');
    expect(readdirSync(path.join(live, 'zones', subfolder('zone-one.org')))).toContain('zone-one.org.zone');
    expect(existsSync(path.join(live, zoneFile('zone-two.org')))).toBe(false);
  });
});

describe('a server a newer Ruche has taken over', () => {
  it('is not written to by this worker, whose sysadmins read why; once the mark is this Ruche’s again, a resync applies what waits', async () => {
    const web = await makeLocalServer(admin, 'web-newer-layout', ['web']);
    const releases = path.join(api.config.dataDir, 'servers', web.name, 'etc/nginx/ruche.releases');
    const mark = path.join(releases, '.ruche-layout');
    // The set-up marks the releases with this Ruche's layout.
    await eventually(async () => existsSync(mark), 20_000, 'the set-up to mark the releases');
    expect(readFileSync(mark, 'utf8')).toBe('2\n');
    const releasesNow = () => readdirSync(releases).filter((entry) => /^\d{14,20}-[0-9a-f]{8}$/.test(entry)).sort();
    const before = releasesNow();

    // A newer Ruche's worker marks them while this one keeps its connection and its set-up.
    writeFileSync(mark, '3\n');
    const { organization, caller } = await makeHostingClient(api, admin);
    await makeLocalServer(admin, 'dns-newer-layout', ['dns']);
    expect((await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'newer-layout.org' })).status).toBe(201);
    const site = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['www.newer-layout.org'], serverId: web.id });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    await eventually(async () => (await caller.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'failed', 20_000, 'the site to fail');
    const event = await eventually(async () => (await admin.get(`/api/v1/server-events?serverId=${web.id}&kind=command_failed`)).body.data[0] as { message: string } | undefined, 20_000, 'a server event');
    expect(event.message).toContain('written by a newer Ruche (layout 3; this worker reads layout 2 and older): stop this worker and run the newer version');
    // Nothing was written: no release, the mark as the newer Ruche left it.
    expect(releasesNow()).toEqual(before);
    expect(readFileSync(mark, 'utf8')).toBe('3\n');

    writeFileSync(mark, '2\n');
    expect((await admin.post(`/api/v1/servers/${web.id}/resync`)).status).toBe(202);
    await eventually(async () => (await caller.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'ready', 20_000, 'the site to be applied');
    expect(existsSync(path.join(api.config.dataDir, 'servers', web.name, 'etc/nginx/ruche', siteFile(site.body.id)))).toBe(true);
  });
});
