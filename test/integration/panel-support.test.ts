import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllersOf, createLogger, openApiDocument, routesOf } from '@ruche/core';
import { apiModule } from '../../apps/api/src/api.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

/** What the panel relies on beyond the hosting API itself: its build, its serving, and the few reads made for it. */
let api: TestApi;
let admin: Caller;
let panelDir: string;

beforeAll(async () => {
  panelDir = await mkdtemp(path.join(os.tmpdir(), 'ruche-panel-'));
  await mkdir(path.join(panelDir, 'assets'));
  await writeFile(path.join(panelDir, 'index.html'), '<!doctype html><title>Ruche</title><script type="module" src="/assets/index-abc123.js"></script>');
  await writeFile(path.join(panelDir, 'assets/index-abc123.js'), 'console.log("panel")');
  await writeFile(path.join(panelDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  api = await startTestApi({ RUCHE_PANEL_DIR: panelDir, RUCHE_DNS_NAMESERVERS: 'ns1.coop.example,ns2.coop.example' });
  admin = await api.admin();
  await makeServers(admin);
});
afterAll(async () => {
  await api?.close();
  if (panelDir) await rm(panelDir, { recursive: true, force: true });
});

describe('the panel build', () => {
  it('generates its client from the same OpenAPI document the running API serves, without a database', async () => {
    const offline = openApiDocument(routesOf(controllersOf(apiModule(api.config, createLogger('silent'), 'postgres://unused'))));
    const served = await api.anonymous.get('/api/openapi.json');
    expect(offline).toEqual(served.body);
  });
});

describe('serving the panel', () => {
  it('answers index.html, never cached, for every client-side route, and keeps the security headers', async () => {
    for (const url of ['/', '/sign-in', '/o/01a20000-0000-7000-8000-000000000000/domains', '/invitation']) {
      const response = await api.anonymous.get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.body, url).toContain('/assets/index-abc123.js');
      expect(response.headers['content-security-policy'], url).toContain("script-src 'self'");
    }
  });

  it('caches hashed assets for a year and answers 404 for missing files, and the API keeps its JSON 404', async () => {
    const asset = await api.anonymous.get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await api.anonymous.get('/favicon.svg')).status).toBe(200);
    expect((await api.anonymous.get('/assets/missing-123.js')).status).toBe(404);
    expect((await api.anonymous.get('/missing.png')).status).toBe(404);
    const unknownApi = await api.anonymous.get('/api/v1/no-such-thing');
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body.error.code).toBe('not_found');
    for (const url of ['/assets/../../../../etc/passwd', '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd', '/..%2f..%2f..%2fetc%2fpasswd']) {
      expect(String((await api.anonymous.get(url)).body), url).not.toContain('root:');
    }
  });
});

describe('reads made for the panel', () => {
  it('tells a client the name servers to set at the registrar and how to reach a database', async () => {
    const client = await makeHostingClient(api, admin);
    const profile = await client.caller.get(`/api/v1/organizations/${client.organization.id}/hosting`);
    expect(profile.body.nameservers).toEqual(['ns1.coop.example', 'ns2.coop.example']);
    const database = await client.caller.post('/api/v1/databases', { organizationId: client.organization.id, engine: 'postgresql', name: 'shop' });
    expect(database.status).toBe(201);
    const connection = await client.caller.get(`/api/v1/databases/${database.body.id}/connection`);
    expect(connection).toMatchObject({ status: 200, body: { engine: 'postgresql', host: '127.0.0.1', port: 5432, database: database.body.name } });
  });

  it('searches resources of every type: a client within its organisations, a sysadmin across all of them', async () => {
    const first = await makeHostingClient(api, admin, { name: 'Première coop' });
    const second = await makeHostingClient(api, admin, { name: 'Second coop' });
    const domain = await makeDomain(first.caller, first.organization.id, 'café-search.org');
    const site = await first.caller.post('/api/v1/sites', { organizationId: first.organization.id, hostnames: [`www.${domain.name}`] });
    expect(site.status).toBe(201);
    const other = await makeDomain(second.caller, second.organization.id, 'other-search.org');

    const mine = await first.caller.get('/api/v1/resources?q=search');
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((r: { id: string }) => r.id).sort()).toEqual([domain.id, site.body.id].sort());
    expect(mine.body.data.find((r: { id: string }) => r.id === domain.id)).toMatchObject({ type: 'domain', name: 'café-search.org', organizationName: 'Première coop', phase: 'pending' });

    const everyone = await admin.get('/api/v1/resources?q=search&type=domain');
    expect(everyone.body.data.map((r: { id: string }) => r.id).sort()).toEqual([domain.id, other.id].sort());
    const byAscii = await admin.get('/api/v1/resources?q=xn--caf');
    expect(byAscii.body.data.map((r: { id: string }) => r.id).sort()).toEqual([domain.id, site.body.id].sort());

    const paged = await admin.get('/api/v1/resources?q=search&limit=1');
    expect(paged.body.data).toHaveLength(1);
    const next = await admin.get(`/api/v1/resources?q=search&limit=5&cursor=${paged.body.nextCursor}`);
    expect(next.body.data.map((r: { id: string }) => r.id)).not.toContain(paged.body.data[0].id);
    expect((await admin.get('/api/v1/resources?cursor=bogus')).body.error.code).toBe('validation_failed');
    expect((await admin.get('/api/v1/resources?phase=failed&q=search')).body.data).toEqual([]);
    // One resource by its id, in the same shape (what `ruche resources show` reads); not another client's.
    const byId = await admin.get(`/api/v1/resources?type=site&id=${site.body.id}`);
    expect(byId.body.data).toMatchObject([{ type: 'site', id: site.body.id, name: `www.${domain.name}`, organizationName: 'Première coop' }]);
    expect((await admin.get(`/api/v1/resources?type=domain&id=${site.body.id}`)).body.data).toEqual([]);
    expect((await second.caller.get(`/api/v1/resources?id=${domain.id}`)).body.data).toEqual([]);
  });
});
