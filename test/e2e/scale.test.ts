import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '@ruche/infra/fleet';
import { makeClient, makeLocalServer, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import type { Caller } from '../support/test-api.js';

/**
 * A real server's scale, and what goes wrong there. A Debian nginx starts with 1,024 open
 * files; with two log files per site, about 840 sites were enough to make `nginx -t` refuse
 * every release. Sites here are written straight into the database (the API's own path is
 * tested elsewhere) and reconciled in one run, as after an import.
 */
const SITES = Number(process.env.RUCHE_E2E_SCALE_SITES ?? 1500);
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web'] });
  organizationId = (await makeOrganization(fleet.admin)).id;
  client = (await makeClient(fleet.api, fleet.admin, organizationId)).caller;
  await makeLocalServer(fleet.admin, 'dns-elsewhere', ['dns']);
  expect((await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { sites: SITES + 10 })).status).toBeLessThan(300);
});
afterAll(() => fleet?.close());

const nginxOpenFiles = async () => {
  const count = await fleet.server.exec(['sh', '-c', 'for pid in $(pgrep nginx); do ls /proc/$pid/fd | wc -l; done | sort -n | tail -n 1']);
  return Number(count.stdout.trim());
};

/** The n-th site's name (a community group's long name: the roots of 1,500 sites outgrow one command line). */
const host = (n: number) => `s${n}.a-community-radio-and-its-neighbourhood-with-a-long-name.many-sites.org`;

describe('a server with thousands of sites', () => {
  it(`takes ${SITES} sites live at once, within nginx's default open-file limit, logging to one shared file; the storage meter measures them all`, async () => {
    const domain = (await client.post('/api/v1/domains', { organizationId, name: 'many-sites.org' })).body;
    expect(domain.id).toBeTruthy();
    await fleet.api.db.query(
      `WITH created AS (
         INSERT INTO sites (id, organization_id, server_id, document_root, https)
         SELECT uuidv7(), $1, $2, 'sites/s' || n || '.a-community-radio-and-its-neighbourhood-with-a-long-name.many-sites.org', false FROM generate_series(1, $3) AS n
         RETURNING id, document_root)
       INSERT INTO site_hostnames (hostname, site_id, position) SELECT substr(document_root, 7), id, 0 FROM created`,
      [organizationId, fleet.serverId, SITES],
    );
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    const settled = await eventually(async () => {
      const [row] = await fleet.api.db.query(
        `SELECT count(*) FILTER (WHERE phase = 'ready')::int AS ready, count(*) FILTER (WHERE phase = 'failed')::int AS failed FROM sites WHERE server_id = $1`,
        [fleet.serverId],
      );
      return row.ready + row.failed === SITES ? row : null;
    }, 300_000, 'every site to be applied');
    expect(settled).toEqual({ ready: SITES, failed: 0 });
    for (const n of [1, Math.floor(SITES / 2), SITES]) {
      expect((await httpGet(fleet.server.ports.http!, { host: host(n) })).body).toContain('hébergé par la coop');
    }
    // One shared access log, its lines naming the site; no file per site.
    const logs = await fleet.server.exec(['sh', '-c', 'ls /var/log/nginx']);
    expect(logs.stdout.split('\n').filter((name) => name.startsWith('ruche-'))).toEqual(['ruche-access.log']);
    await eventually(async () => (await fleet.server.exec(['grep', '-cE', `^[0-9a-f-]{36} ${host(SITES).replaceAll('.', '\\.')} `, '/var/log/nginx/ruche-access.log'])).stdout.trim() !== '0', 10_000, 'the access log line');
    expect(await nginxOpenFiles()).toBeLessThan(200);

    // Every site's document root measured in one round trip, however many (their paths together
    // are more than a command line may hold), each site's bytes recorded.
    const [{ prefix }] = await fleet.api.db.query(`SELECT prefix FROM organization_hosting WHERE organization_id = $1`, [organizationId]);
    expect(Array.from({ length: SITES }, (_, i) => `/srv/ruche/${prefix}/sites/${host(i + 1)}\n`).join('').length).toBeGreaterThan(128 * 1024);
    const written = await fleet.server.exec(['sh', '-c', 'head -c 100000 /dev/urandom > "$1/big.bin" && sync', 'fill', `/srv/ruche/${prefix}/sites/${host(SITES)}`]);
    expect(written.exitCode, written.stderr).toBe(0);
    const { StorageMeter } = await import('@ruche/provisioning');
    const measured = await fleet.worker!.get(StorageMeter).measureAll();
    expect(measured.failures).toEqual([]);
    const [sizes] = await fleet.api.db.query(
      `SELECT count(*) FILTER (WHERE storage_bytes > 0)::int AS measured, max(storage_bytes)::bigint AS largest FROM sites WHERE server_id = $1`,
      [fleet.serverId],
    );
    expect(sizes.measured).toBe(SITES);
    expect(Number(sizes.largest)).toBeGreaterThanOrEqual(100_000);
  });

  it('tells sysadmins at once when the checker refuses a release for a reason no site explains', async () => {
    const domain = (await client.post('/api/v1/domains', { organizationId, name: 'shared-breakage.org' })).body;
    expect(domain.id).toBeTruthy();
    // A file every site's configuration needs, gone: nginx -t fails, naming no site.
    await fleet.server.exec(['mv', '/etc/nginx/mime.types', '/etc/nginx/mime.types.away']);
    let site: { id: string } | undefined;
    try {
      site = (await client.post('/api/v1/sites', { organizationId, hostnames: ['shared-breakage.org'] })).body as { id: string };
      const failed = await eventually(async () => {
        const now = (await client.get(`/api/v1/sites/${site!.id}`)).body;
        return now.phase === 'failed' ? now : null;
      }, 60_000, 'the site to fail');
      // The client reads a plain message; sysadmins get the checker's words, an event and a metric.
      expect(failed.lastError).toMatch(/refused the change; Ruche retries on its own/);
      const events = await eventually(async () => {
        const answer = await fleet.admin.get(`/api/v1/server-events?serverId=${fleet.serverId}&kind=release_refused`);
        return answer.body.data.length > 0 ? answer.body.data : null;
      }, 10_000, 'a server event');
      expect(events[0]).toMatchObject({ service: 'web', kind: 'release_refused', message: expect.stringContaining('mime.types') });
      const { Metrics } = await import('@ruche/core');
      expect(await fleet.worker!.get(Metrics).registry.metrics()).toMatch(/ruche_reconcile_failures_total\{service="web",server="[^"]+",kind="release_refused"\} [1-9]/);
      // Clients cannot read it.
      expect((await client.get('/api/v1/server-events')).status).toBe(403);
    } finally {
      await fleet.server.exec(['mv', '/etc/nginx/mime.types.away', '/etc/nginx/mime.types']);
    }
    // Mended on the server: the retry takes it live.
    expect((await fleet.admin.post('/api/v1/jobs/retry', { resourceType: 'site', resourceId: site!.id })).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${site!.id}`)).body.phase === 'ready', 60_000, 'the site to go live once the server is mended');
  });
});
