import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, httpsGet, queryDns } from '@ruche/infra/fleet';
import { RENDER_TEST_HOOK, type RenderTestHook } from '@ruche/provisioning';
import { makeClient, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import type { Caller } from '../support/test-api.js';
import { siteFile, subfolder, zoneFile } from '../support/server-paths.js';

/**
 * A client works through the API; a worker reconciles over SSH onto a real Debian server;
 * the outcome is checked the way the world sees it: HTTP and DNS on the server's ports. Each
 * test makes the domains and sites it looks at, so any one of them can run alone.
 */
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;
let hooked = false;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web', 'dns'] });
  const organization = await makeOrganization(fleet.admin, { name: 'Radio Centre-Ville' });
  organizationId = organization.id;
  client = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
  expect((await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { domains: 100, sites: 100 })).status).toBeLessThan(300);
});
afterAll(() => fleet?.close());
// A test that altered what the drivers render leaves a plain worker behind it.
afterEach(async () => {
  if (!hooked) return;
  await fleet.worker!.close();
  await fleet.startWorker();
  hooked = false;
});

/** A domain of its own for one test (`<label>-<random>.org`), live on the server. */
async function liveDomain(label: string, records: object[] = []): Promise<{ id: string; name: string }> {
  const domain = await client.post('/api/v1/domains', { organizationId, name: `${label}-${randomBytes(3).toString('hex')}.org` });
  expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  for (const record of records) expect((await client.post(`/api/v1/domains/${domain.body.id}/records`, record)).status).toBe(201);
  await phaseOf(`/api/v1/domains/${domain.body.id}`, 'ready');
  return domain.body;
}

/** A site live on the server with a file of its own, /hello.txt. */
async function liveSite(hostnames: string[], hello = 'on the air\n'): Promise<{ id: string; root: string }> {
  const site = await client.post('/api/v1/sites', { organizationId, hostnames });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
  const [row] = await fleet.api.db.query(`SELECT prefix FROM organization_hosting WHERE organization_id = $1`, [organizationId]);
  const root = `/srv/ruche/${row.prefix}/sites/${hostnames[0]}`;
  const written = await fleet.server.exec(['tee', `${root}/hello.txt`], { input: hello });
  expect(written.exitCode, written.stderr).toBe(0);
  return { id: site.body.id, root };
}

const get = (path: string) => client.get(path).then((response) => response.body);
const phaseOf = (path: string, phase: string) => eventually(async () => ((await get(path)).phase === phase ? get(path) : null), 20_000, `${path} to be ${phase}`);

/** A text to find as it is in a regular expression. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every site file the live release holds (its subfolders are links: followed). */
const liveSiteFiles = async () => (await fleet.server.exec(['find', '-L', '/etc/nginx/ruche/sites', '-type', 'f'])).stdout;

async function soaSerial(zone: string, transport: 'udp' | 'tcp' = 'udp'): Promise<number> {
  const answer = await queryDns({ port: transport === 'udp' ? fleet.server.ports.dnsUdp! : fleet.server.ports.dnsTcp!, name: zone, type: 'SOA', transport });
  return Number(answer.answers.find((record) => record.type === 'SOA')!.data.split(' ')[2]);
}

/** Asks for a resync of the server and waits until its run for `service` has ended so. */
async function resynced(service: 'web' | 'dns', status: 'succeeded' | 'failed' = 'succeeded'): Promise<void> {
  const asked = Date.now();
  expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
  await runEnded(service, asked - 1000, status, 'resync');
}

/** Waits until a run for `service` (of `trigger`, if given) started since `since` has ended with `status`: its job is over. */
async function runEnded(service: 'web' | 'dns', since: number, status: 'succeeded' | 'failed', trigger?: string): Promise<void> {
  await eventually(async () => {
    const runs = (await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=20`)).body.data as Array<{ service: string; trigger: string; status: string; startedAt: string | null }>;
    return runs.some((run) => run.service === service && (!trigger || run.trigger === trigger) && run.status === status && Date.parse(run.startedAt!) >= since);
  }, 30_000, `a ${trigger ?? ''} run of ${service} to end ${status}`);
}

/** Restarts the worker with the drivers' test-only hook, which alters what they render (until the test ends). */
async function restartWorkerRendering(hook: RenderTestHook): Promise<void> {
  hooked = true;
  await fleet.worker!.close();
  await fleet.startWorker([{ module: class RenderHookForTests {}, global: true, providers: [{ provide: RENDER_TEST_HOOK, useValue: hook }], exports: [RENDER_TEST_HOOK] }]);
}

describe('registering a server', () => {
  it('pins the host key seen first, and refuses a server whose key is not the one given', async () => {
    const registered = await fleet.admin.get(`/api/v1/servers/${fleet.serverId}`);
    const actual = await fleet.server.exec(['ssh-keygen', '-lf', '/etc/ssh/ssh_host_ed25519_key.pub']);
    expect(actual.stdout).toContain(registered.body.hostKeyFingerprint);
    const impostor = await fleet.admin.post('/api/v1/servers', {
      name: 'impostor',
      address: '127.0.0.1',
      port: fleet.server.ports.ssh,
      transport: 'ssh',
      services: ['web'],
      hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(impostor.status).toBe(422);
    expect(impostor.body.error.code).toBe('host_key_mismatch');
    const nobody = await fleet.admin.post('/api/v1/servers', { name: 'nobody', address: '127.0.0.1', port: 1, transport: 'ssh', services: ['web'] });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error).toMatchObject({ code: 'server_unreachable', message: expect.stringMatching(/could not reach|pas pu joindre/) });
    // The fingerprint given up front is checked, and the services' programs must be there.
    const twin = await fleet.admin.post('/api/v1/servers', {
      name: 'twin',
      address: '127.0.0.1',
      port: fleet.server.ports.ssh,
      transport: 'ssh',
      services: ['web'],
      hostKeyFingerprint: registered.body.hostKeyFingerprint,
    });
    expect(twin.status, JSON.stringify(twin.body)).toBe(201);
    expect(twin.body.hostKeyFingerprint).toBe(registered.body.hostKeyFingerprint);
    expect((await fleet.admin.delete(`/api/v1/servers/${twin.body.id}`)).status).toBeLessThan(300);
    await fleet.server.exec(['mv', '/usr/bin/doveadm', '/usr/bin/doveadm.hidden']);
    try {
      const mailless = await fleet.admin.post('/api/v1/servers', { name: 'mailless', address: '127.0.0.1', port: fleet.server.ports.ssh, transport: 'ssh', services: ['web', 'mail'] });
      expect(mailless.status).toBe(422);
      expect(mailless.body.error.code).toBe('service_missing');
      expect(mailless.body.error.message).toContain('mail (doveadm)');
    } finally {
      await fleet.server.exec(['mv', '/usr/bin/doveadm.hidden', '/usr/bin/doveadm']);
    }
    const { publicKey } = (await fleet.admin.get('/api/v1/servers/ssh-public-key')).body;
    expect(publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* ruche$/);
  });
});

describe('a domain and a site, from the API to the server', () => {
  it('goes live within seconds: the site answers over HTTP and the zone over DNS (UDP and TCP)', async () => {
    const zone = `radio-${randomBytes(3).toString('hex')}.org`;
    const domain = await client.post('/api/v1/domains', { organizationId, name: zone });
    expect(domain.status).toBe(201);
    // The zone's default SPF record, made strict by the client.
    const defaults = (await client.get(`/api/v1/domains/${domain.body.id}/records`)).body.data as Array<{ id: string; value: string }>;
    const spf = defaults.find((r) => r.value.startsWith('v=spf1'))!;
    expect((await client.patch(`/api/v1/domains/${domain.body.id}/records/${spf.id}`, { value: '"v=spf1 mx -all"' })).status).toBe(200);
    const record = await client.post(`/api/v1/domains/${domain.body.id}/records`, { type: 'A', name: 'studio', value: '192.0.2.77' });
    expect(record.status).toBe(201);
    const created = Date.now();
    const site = await client.post('/api/v1/sites', { organizationId, hostnames: [zone, `www.${zone}`] });
    expect(site.status).toBe(201);

    const live = await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
    expect(live).toMatchObject({ lastError: null, observedGeneration: live.generation, serverId: fleet.serverId });
    expect(Date.now() - created).toBeLessThan(10_000);
    const page = await httpGet(fleet.server.ports.http!, { host: `www.${zone}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('hébergé par la coop');

    await phaseOf(`/api/v1/domains/${domain.body.id}`, 'ready');
    for (const transport of ['udp', 'tcp'] as const) {
      const answer = await queryDns({ port: transport === 'udp' ? fleet.server.ports.dnsUdp! : fleet.server.ports.dnsTcp!, name: `studio.${zone}`, type: 'A', transport });
      expect(answer.rcode).toBe('NOERROR');
      expect(answer.authoritative).toBe(true);
      expect(answer.answers.map((a) => a.data)).toEqual(['192.0.2.77']);
    }
    const txt = await queryDns({ port: fleet.server.ports.dnsTcp!, name: zone, type: 'TXT', transport: 'tcp' });
    expect(txt.answers.map((a) => a.data)).toEqual(['"v=spf1 mx -all"']);
    const ns = await queryDns({ port: fleet.server.ports.dnsUdp!, name: zone, type: 'NS' });
    expect(ns.answers.map((a) => a.data).sort()).toEqual(['ns1.coop.example.', 'ns2.coop.example.']);

    // The client's files are served, from the organisation's space.
    const [row] = await fleet.api.db.query(`SELECT prefix FROM organization_hosting WHERE organization_id = $1`, [organizationId]);
    const root = `/srv/ruche/${row.prefix}/sites/${zone}`;
    const written = await fleet.server.exec(['tee', `${root}/hello.txt`], { input: 'on the air\n' });
    expect(written.exitCode, written.stderr).toBe(0);
    expect((await httpGet(fleet.server.ports.http!, { host: zone, path: '/hello.txt' })).body).toBe('on the air\n');
    // Hidden files are never served (a site's .git or .env), in any folder and however the
    // path is spelled; .well-known is, and a folder's index page too.
    const files = ['.env', 'blog/.git/config', '.well-known/acme-challenge/token', 'blog/index.html'];
    const put = await fleet.server.exec(['sh', '-c', 'cd "$1" && shift && for f; do mkdir -p "$(dirname "$f")" && echo "secret $f" > "$f"; done', 'put', root, ...files]);
    expect(put.exitCode, put.stderr).toBe(0);
    for (const path of ['/.env', '/blog/.git/config', '/%2eenv', '/blog/%2Egit/config', '/blog/./.git/config']) {
      const hidden = await httpGet(fleet.server.ports.http!, { host: zone, path });
      expect({ path, status: hidden.status, leaked: hidden.body.includes('secret') }).toEqual({ path, status: 404, leaked: false });
    }
    expect((await httpGet(fleet.server.ports.http!, { host: zone, path: '/.well-known/acme-challenge/token' })).body).toBe('secret .well-known/acme-challenge/token\n');
    expect((await httpGet(fleet.server.ports.http!, { host: zone, path: '/blog/' })).body).toBe('secret blog/index.html\n');
    const folder = await httpGet(fleet.server.ports.http!, { host: zone, path: '/blog' });
    expect({ status: folder.status, location: folder.headers.location }).toEqual({ status: 301, location: expect.stringMatching(/\/blog\/$/) });
    expect((await httpGet(fleet.server.ports.http!, { host: zone, path: '/missing.html' })).status).toBe(404);
    const owner = await fleet.server.exec(['stat', '-c', '%U', root]);
    expect(owner.stdout.trim()).toBe(`ruche-${row.prefix}`);
  });

  it('answers a changed record with a higher serial', async () => {
    const domain = await liveDomain('serial', [{ type: 'A', name: 'studio', value: '192.0.2.77' }]);
    const before = await soaSerial(domain.name);
    const records = await get(`/api/v1/domains/${domain.id}/records`);
    const studio = records.data.find((r: { name: string }) => r.name === 'studio');
    const changed = await client.patch(`/api/v1/domains/${domain.id}/records/${studio.id}`, { value: '192.0.2.78' });
    expect(changed.status).toBe(200);
    await eventually(async () => {
      const answer = await queryDns({ port: fleet.server.ports.dnsUdp!, name: `studio.${domain.name}`, type: 'A' });
      return answer.answers[0]?.data === '192.0.2.78';
    }, 15_000, 'the new address');
    const after = await soaSerial(domain.name, 'tcp');
    expect(after).toBeGreaterThan(before);
    expect(after).toBe((await get(`/api/v1/domains/${domain.id}`)).serial);
  });

  it('copies only the zone subfolder a change touches: the others are shared with the release before, which stays as it was', async () => {
    const releases = '/etc/knot/ruche.releases';
    const sh = async (script: string, ...args: string[]) => {
      const result = await fleet.server.exec(['sh', '-c', script, 'sh', ...args]);
      expect(result.exitCode, result.stderr).toBe(0);
      return result.stdout.trim();
    };
    const liveRelease = () => sh('readlink /etc/knot/ruche');
    const link = (release: string, folder: string) => sh('readlink "$1/zones/$2"', release, folder);
    const changed = await liveDomain('shared-changed', [{ type: 'A', name: 'studio', value: '192.0.2.10' }]);
    let other = await liveDomain('shared-other');
    while (subfolder(other.name) === subfolder(changed.name)) other = await liveDomain('shared-other');
    const before = await liveRelease();
    const changedFile = (release: string) => `${release}/${zoneFile(changed.name)}`;

    const records = await get(`/api/v1/domains/${changed.id}/records`);
    const studio = records.data.find((r: { name: string }) => r.name === 'studio');
    expect((await client.patch(`/api/v1/domains/${changed.id}/records/${studio.id}`, { value: '192.0.2.11' })).status).toBe(200);
    await phaseOf(`/api/v1/domains/${changed.id}`, 'ready');
    const after = await liveRelease();
    expect(after).not.toBe(before);
    // The changed zone's subfolder is the new release's own copy; the other zone's is the same folder as before.
    expect(await link(after, subfolder(changed.name))).toBe(`../../.store/${after.split('/').pop()}/${subfolder(changed.name)}`);
    expect(await link(after, subfolder(other.name))).toBe(await link(before, subfolder(other.name)));
    // The release before still holds the zone as it was (the copy replaced the file, never rewrote it).
    expect(await sh('grep -h studio "$1"', changedFile(before))).toContain('192.0.2.10');
    expect(await sh('grep -h studio "$1"', changedFile(after))).toContain('192.0.2.11');
    expect((await queryDns({ port: fleet.server.ports.dnsUdp!, name: `studio.${changed.name}`, type: 'A' })).answers[0]?.data).toBe('192.0.2.11');

    // Once older releases are removed, the shared folders only they linked to go with them: every
    // folder in the store is linked from a kept release, and no kept release links to a missing one.
    for (const value of ['192.0.2.12', '192.0.2.13', '192.0.2.14']) {
      expect((await client.patch(`/api/v1/domains/${changed.id}/records/${studio.id}`, { value })).status).toBe(200);
      await phaseOf(`/api/v1/domains/${changed.id}`, 'ready');
    }
    expect(await sh('[ -e "$1" ] && echo kept || echo removed', before)).toBe('removed');
    const linked = (await sh('find "$1"/[0-9]*/zones -mindepth 1 -maxdepth 1 -type l -printf "%l\\n"', releases)).split('\n');
    const used = new Set(linked.map((target) => target.split('/')[3]));
    const stored = (await sh('ls "$1/.store"', releases)).split('\n');
    expect(stored.sort()).toEqual([...used].sort());
    expect(await sh('find "$1"/[0-9]*/zones -mindepth 1 -maxdepth 1 -xtype l', releases)).toBe('');
  });

  it('keeps the other sites live when nginx refuses one, and says why', async () => {
    const domain = await liveDomain('refused');
    const earlier = await liveSite([`www.${domain.name}`]);
    // Sites whose host name starts with "broken." get a map line nginx does not take.
    await restartWorkerRendering((resource, text) => (resource.type === 'site' && resource.label.startsWith('broken.') ? `${text}broken "two" "values";\n` : text));
    const good = await client.post('/api/v1/sites', { organizationId, hostnames: [`good.${domain.name}`] });
    const bad = await client.post('/api/v1/sites', { organizationId, hostnames: [`broken.${domain.name}`] });
    const failed = await phaseOf(`/api/v1/sites/${bad.body.id}`, 'failed');
    expect(failed.lastError).toMatch(new RegExp(`invalid number of the map parameters in ${literally(siteFile(bad.body.id))}:\\d+`));
    await phaseOf(`/api/v1/sites/${good.body.id}`, 'ready');
    expect((await httpGet(fleet.server.ports.http!, { host: `good.${domain.name}` })).body).toContain('hébergé par la coop');
    expect((await httpGet(fleet.server.ports.http!, { host: `www.${domain.name}`, path: '/hello.txt' })).body).toBe('on the air\n');
    expect((await get(`/api/v1/sites/${earlier.id}`)).phase).toBe('ready');
    // The refused vhost is not on the server at all.
    const files = await liveSiteFiles();
    expect(files).not.toContain(bad.body.id);
    expect(files).toContain(good.body.id);
    const events = await get(`/api/v1/resource-events?resourceId=${bad.body.id}`);
    expect(events.data[0], JSON.stringify(events.data, null, 1)).toMatchObject({ toPhase: 'failed', message: expect.stringMatching(/invalid number of the map parameters/) });
    // Fixing it (here: deleting it) needs no person on the server.
    expect((await client.delete(`/api/v1/sites/${bad.body.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${bad.body.id}`)).status === 404, 15_000, 'the broken site to go');
  });

  it('answers a new site at once, before nginx has checked its release; the release then serves it, and a site the check refuses stops answering', async () => {
    const { name: zone } = await liveDomain('early');
    // (A server already serving sites: the first release brings the maps that read early links.)
    await liveSite([`www.${zone}`]);
    // nginx's check of a release made slow: the site must answer before it ends.
    const slow = await fleet.server.exec([
      'sh',
      '-c',
      'real=$(command -v nginx) && printf \'#!/bin/sh\\ncase " $* " in *ruche-check.conf*) sleep 4 ;; esac\\nexec %s "$@"\\n\' "$real" > /usr/local/sbin/nginx && chmod +x /usr/local/sbin/nginx',
    ]);
    expect(slow.exitCode, slow.stderr).toBe(0);
    const early = '/var/lib/ruche/web/hosts';
    try {
      const site = await client.post('/api/v1/sites', { organizationId, hostnames: [`early.${zone}`, `www.early.${zone}`] });
      expect(site.status).toBe(201);
      const page = await eventually(async () => {
        const answer = await httpGet(fleet.server.ports.http!, { host: `www.early.${zone}` });
        return answer.status === 200 && answer.body.includes('hébergé par la coop') ? answer : null;
      }, 3_000, 'the new site to answer before its release is checked');
      expect(page.status).toBe(200);
      expect((await get(`/api/v1/sites/${site.body.id}`)).phase).not.toBe('ready');
      await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
      // The release serves it now (the shared log names the site), and no early link is left.
      expect((await httpGet(fleet.server.ports.http!, { host: `early.${zone}` })).body).toContain('hébergé par la coop');
      const log = await fleet.server.exec(['sh', '-c', 'tail -n 1 /var/log/nginx/ruche-access.log']);
      expect(log.stdout.startsWith(`${site.body.id} early.${zone} `), log.stdout).toBe(true);
      expect((await fleet.server.exec(['ls', '-A', early])).stdout).toBe('');

      // One the check refuses answers early too, then no longer: no link outlives its run.
      await restartWorkerRendering((resource, text) => (resource.type === 'site' && resource.label.startsWith('refused.') ? `${text}broken "two" "values";\n` : text));
      const refused = await client.post('/api/v1/sites', { organizationId, hostnames: [`refused.${zone}`] });
      await phaseOf(`/api/v1/sites/${refused.body.id}`, 'failed');
      expect((await httpGet(fleet.server.ports.http!, { host: `refused.${zone}` })).status).toBe(404);
      expect((await fleet.server.exec(['ls', '-A', early])).stdout).toBe('');
    } finally {
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
    }
  });

  it('keeps serving the last good zone when Knot refuses a change to it, and applies the other zones', async () => {
    // A zone holding a TXT record "break-me" gets a line Knot's checker refuses.
    await restartWorkerRendering((resource, text) => (resource.type === 'domain' && text.includes('break-me') ? `${text}broken 3600 IN A 192.0.2.300\n` : text));
    const fickle = await liveDomain('fickle-zone');
    const steady = await liveDomain('steady-zone');
    const goodSerial = await soaSerial(fickle.name);

    await client.post(`/api/v1/domains/${fickle.id}/records`, { type: 'TXT', name: 'note', value: '"break-me"' });
    const failed = await phaseOf(`/api/v1/domains/${fickle.id}`, 'failed');
    // Knot's own words, without the server's internal release paths.
    expect(failed.lastError).toMatch(new RegExp(`file '${literally(zoneFile(fickle.name))}', line \\d+ \\(invalid IPv4 address\\)`));
    expect(failed.lastError).not.toContain('releases');
    // The server still serves the zone's last good version.
    expect(await soaSerial(fickle.name)).toBe(goodSerial);

    // A change to another zone on the same server goes live while the refused one waits.
    const record = await client.post(`/api/v1/domains/${steady.id}/records`, { type: 'A', name: 'antenna', value: '192.0.2.91' });
    expect(record.status).toBe(201);
    await phaseOf(`/api/v1/domains/${steady.id}`, 'ready');
    const answer = await queryDns({ port: fleet.server.ports.dnsUdp!, name: `antenna.${steady.name}`, type: 'A' });
    expect(answer.answers.map((a) => a.data)).toEqual(['192.0.2.91']);
    expect((await get(`/api/v1/domains/${fickle.id}`)).phase).toBe('failed');
    expect(await soaSerial(fickle.name)).toBe(goodSerial);

    // The client mends it: the zone goes live again with a higher serial.
    const note = (await get(`/api/v1/domains/${fickle.id}/records`)).data.find((r: { name: string }) => r.name === 'note');
    expect((await client.delete(`/api/v1/domains/${fickle.id}/records/${note.id}`)).status).toBeLessThan(300);
    await phaseOf(`/api/v1/domains/${fickle.id}`, 'ready');
    await eventually(async () => (await soaSerial(fickle.name)) > goodSerial, 15_000, 'the mended zone to be served');
  });

  it('keeps the last good vhost of a site whose row holds a value Ruche will not write', async () => {
    const domain = await liveDomain('tamper');
    const site = await client.post('/api/v1/sites', { organizationId, hostnames: [`tamper.${domain.name}`] });
    await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
    // Written behind the API's back (the renderer does not trust the database either).
    await fleet.api.db.query(`UPDATE sites SET document_root = '../../etc', generation = generation + 1 WHERE id = $1`, [site.body.id]);
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    const failed = await phaseOf(`/api/v1/sites/${site.body.id}`, 'failed');
    expect(failed.lastError).toMatch(/document root "\.\.\/\.\.\/etc" is not valid/);
    // Its last good configuration is still there and still serving.
    expect((await fleet.server.exec(['grep', '-c', `^tamper.${domain.name} "`, `/etc/nginx/ruche/${siteFile(site.body.id)}`])).stdout.trim()).toBe('1');
    expect((await httpGet(fleet.server.ports.http!, { host: `tamper.${domain.name}` })).body).toContain('hébergé par la coop');
    expect((await client.delete(`/api/v1/sites/${site.body.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${site.body.id}`)).status === 404, 15_000, 'the site to go');
  });

  it('moves a server from the older layout (a server block per site): no drift reported, a kept site nginx cannot read is taken off, the others go live', async () => {
    const domain = await liveDomain('layout');
    const old = await client.post('/api/v1/sites', { organizationId, hostnames: [`old.${domain.name}`] });
    const other = await client.post('/api/v1/sites', { organizationId, hostnames: [`other.${domain.name}`], https: true });
    await phaseOf(`/api/v1/sites/${old.body.id}`, 'ready');
    await phaseOf(`/api/v1/sites/${other.body.id}`, 'ready');
    // The older Ruche kept a site's pair as <id>.crt and .key, with the names it was made for.
    const legacy = `/etc/ruche/certs/${other.body.id}`;
    const asLegacy = 'for f in "$1"-*.crt; do mv -- "$f" "$1.crt"; mv -- "${f%.crt}.key" "$1.key"; done; printf %s "$2" > "$1.names"; stat -c %i "$1.key"';
    const legacyKey = (await fleet.server.exec(['sh', '-c', asLegacy, 'legacy-pair', legacy, `DNS:other.${domain.name}`])).stdout.trim();
    // One site's row holds a value Ruche will not write (so its last good files are kept)…
    await fleet.api.db.query(`UPDATE sites SET document_root = '../../etc', generation = generation + 1 WHERE id = $1`, [old.body.id]);
    // …and the live tree is as an older Ruche wrote it: no shared http.conf, a server block per site.
    const asBefore = 'live=$(readlink -f /etc/nginx/ruche); rm -f "$live/http.conf" "$live/$3"; printf "server {\\n    listen 80;\\n    server_name %s;\\n}\\n" "$2" > "$live/sites/$1.conf"';
    for (const [site, name] of [[old.body.id, `old.${domain.name}`], [other.body.id, `other.${domain.name}`]]) {
      await fleet.server.exec(['sh', '-c', asBefore, 'older-layout', site, name, siteFile(site)]);
    }
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    const failed = await eventually(async () => {
      const now = await get(`/api/v1/sites/${old.body.id}`);
      return now.phase === 'failed' && /taken off the server/.test(now.lastError ?? '') ? now : null;
    }, 30_000, 'the old site to be taken off');
    expect(failed.lastError).toMatch(new RegExp(`no longer passes the check and was taken off the server: .*${literally(siteFile(old.body.id))}:\\d+`));
    await eventually(async () => (await httpGet(fleet.server.ports.http!, { host: `other.${domain.name}` })).status === 200, 15_000, 'the other site to answer');
    expect((await get(`/api/v1/sites/${other.body.id}`)).phase).toBe('ready');
    // Its pair is the one the older Ruche made (the same file, under its new name), not a new one.
    expect((await httpsGet(fleet.server.ports.https!, { host: `other.${domain.name}` })).certificateNames).toBe(`DNS:other.${domain.name}`);
    expect((await fleet.server.exec(['sh', '-c', 'stat -c %i "$1"-*.key', 'pair', legacy])).stdout.trim()).toBe(legacyKey);
    // Its file rewritten in the new layout is not a hand edit.
    expect((await get(`/api/v1/resource-events?resourceId=${other.body.id}`)).data.map((event: { kind: string }) => event.kind)).not.toContain('drift');
    expect(await liveSiteFiles()).not.toContain(old.body.id);
    const fresh = await client.post('/api/v1/sites', { organizationId, hostnames: [`new.${domain.name}`] });
    await phaseOf(`/api/v1/sites/${fresh.body.id}`, 'ready');
    expect((await client.delete(`/api/v1/sites/${old.body.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${old.body.id}`)).status === 404, 15_000, 'the old site to go');
  });

  it('moves a server from the older zone layout (every zone file in zones/ itself): no drift reported, the zones served throughout, a refused zone still at its last good version', async () => {
    const domain = await liveDomain('flat', [{ type: 'A', name: 'radio', value: '192.0.2.30' }]);
    // A zone whose change Knot refused: it keeps its last good version (see above).
    await restartWorkerRendering((resource, text) => (resource.type === 'domain' && text.includes('break-me') ? `${text}broken 3600 IN A 192.0.2.300\n` : text));
    const held = await liveDomain('flat-held');
    const goodSerial = await soaSerial(held.name);
    await client.post(`/api/v1/domains/${held.id}/records`, { type: 'TXT', name: 'note', value: '"break-me"' });
    await phaseOf(`/api/v1/domains/${held.id}`, 'failed');
    // The live tree as an older Ruche wrote it: plain folders, every zone file in zones/ (and a
    // stray file whose name is no zone's, which must not stop the move).
    const asBefore = `live=$(readlink -f /etc/knot/ruche); release=/etc/knot/ruche.releases/$(date -u +%Y%m%d%H%M%S%3N)-0000beef
      cp -aL -- "$live" "$release" && cd "$release/zones" && for folder in */; do mv -- "$folder"* . && rmdir -- "$folder"; done
      echo stray > "copy of old.zone"
      sed -i 's|/etc/knot/ruche/zones/[0-9a-f][0-9a-f]/|/etc/knot/ruche/zones/|' "$release/knot.conf"
      ln -sfn -- "$release" /etc/knot/ruche.new && mv -T -- /etc/knot/ruche.new /etc/knot/ruche && knotc -s /run/knot/knot.sock -b reload`;
    const moved = await fleet.server.exec(['sh', '-c', asBefore]);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect((await fleet.server.exec(['test', '-f', `/etc/knot/ruche/zones/${domain.name}.zone`])).exitCode).toBe(0);
    const radio = async () => (await queryDns({ port: fleet.server.ports.dnsUdp!, name: `radio.${domain.name}`, type: 'A' })).answers[0]?.data;
    expect(await radio()).toBe('192.0.2.30');

    await resynced('dns');
    // Now in subfolders shared between releases, nothing left in zones/ itself (the stray file
    // removed); still served; not a hand edit.
    expect((await fleet.server.exec(['readlink', `/etc/knot/ruche/zones/${subfolder(domain.name)}`])).stdout).toMatch(/^\.\.\/\.\.\/\.store\//);
    expect((await fleet.server.exec(['find', '/etc/knot/ruche/zones/', '-maxdepth', '1', '-type', 'f'])).stdout).toBe('');
    expect(await radio()).toBe('192.0.2.30');
    expect((await get(`/api/v1/domains/${domain.id}`)).phase).toBe('ready');
    expect((await get(`/api/v1/resource-events?resourceId=${domain.id}`)).data.map((event: { kind: string }) => event.kind)).not.toContain('drift');
    // The refused zone moved with the others, as it was: still served at its last good version.
    expect(await soaSerial(held.name)).toBe(goodSerial);
    expect((await fleet.server.exec(['grep', '-c', 'note', `/etc/knot/ruche/zones/${subfolder(held.name)}/${held.name}.zone`])).stdout.trim()).toBe('0');
    expect((await get(`/api/v1/domains/${held.id}`)).phase).toBe('failed');
  });

  it('moves a server from the flat site layout (every site file in sites/ itself): no drift reported, the sites served throughout, a refused site still at its last good version', async () => {
    const { name: zone } = await liveDomain('flat-sites');
    const plain = await liveSite([`plain.${zone}`]);
    // A site whose change nginx refused keeps its last good version (see above).
    await restartWorkerRendering((resource, text) => (resource.type === 'site' && text.includes(`also.held.${zone}`) ? `${text}broken "two" "values";\n` : text));
    const held = await liveSite([`held.${zone}`]);
    expect((await client.patch(`/api/v1/sites/${held.id}`, { hostnames: [`held.${zone}`, `also.held.${zone}`] })).status).toBe(200);
    await phaseOf(`/api/v1/sites/${held.id}`, 'failed');
    // The live tree as an older Ruche wrote it: plain folders, every site file in sites/, read
    // from there by the maps (and a stray file whose name is no site's, which must not stop the move).
    const asBefore = `live=$(readlink -f /etc/nginx/ruche); release=/etc/nginx/ruche.releases/$(date -u +%Y%m%d%H%M%S%3N)-0000beef
      cp -aL -- "$live" "$release" && cd "$release/sites" || exit 1
      for folder in */; do for file in "$folder"*; do if [ -e "$file" ]; then mv -- "$file" . || exit 1; fi; done; rmdir -- "$folder" || exit 1; done
      echo "stray.$1 \\"-\\";" > "copy of old.conf"
      sed -i 's|/sites/[*]/[*][.]conf;|/sites/*.conf;|' "$release/http.conf" && grep -q '/sites/[*][.]conf;' "$release/http.conf" || exit 1
      ln -sfn -- "$release" /etc/nginx/ruche.new && mv -T -- /etc/nginx/ruche.new /etc/nginx/ruche && nginx -s reload`;
    const moved = await fleet.server.exec(['sh', '-c', asBefore, 'older-layout', zone]);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect((await fleet.server.exec(['test', '-f', `/etc/nginx/ruche/sites/${plain.id}.conf`])).exitCode).toBe(0);
    const hello = async (host: string) => {
      const answer = await httpGet(fleet.server.ports.http!, { host, path: '/hello.txt' });
      return answer.status === 200 ? answer.body : answer.status;
    };
    await eventually(async () => (await hello(`plain.${zone}`)) === 'on the air\n', 10_000, 'the flat layout to serve');

    // The move goes live at the set-up, before the run's own release: with that release refused
    // (its check fails), the moved tree is what nginx reads at its next reload, and it serves
    // every site as before.
    const refuseChecks = `real=$(command -v nginx) && printf '#!/bin/sh\\ncase " $* " in *ruche-check.conf*) echo "refused for the test" >&2; exit 1 ;; esac\\nexec %s "$@"\\n' "$real" > /usr/local/sbin/nginx && chmod +x /usr/local/sbin/nginx`;
    expect((await fleet.server.exec(['sh', '-c', refuseChecks])).exitCode).toBe(0);
    try {
      await resynced('web', 'failed');
    } finally {
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/nginx']);
    }
    expect((await fleet.server.exec(['readlink', `/etc/nginx/ruche/sites/${subfolder(plain.id)}`])).stdout).toMatch(/^\.\.\/\.\.\/\.store\//);
    const workers = async () => (await fleet.server.exec(['sh', '-c', 'pgrep -P "$(cat /run/nginx.pid)"'])).stdout.trim().split('\n');
    const old = await workers();
    expect((await fleet.server.exec(['nginx', '-s', 'reload'])).exitCode).toBe(0);
    await eventually(async () => (await workers()).every((pid) => pid !== '' && !old.includes(pid)), 10_000, 'nginx to reload');
    expect(await hello(`plain.${zone}`)).toBe('on the air\n');
    expect(await hello(`held.${zone}`)).toBe('on the air\n');
    expect(await hello(`also.held.${zone}`)).toBe(404);

    await resynced('web');
    // Now in subfolders shared between releases, nothing left in sites/ itself (the stray file
    // removed), the maps reading the subfolders; still served; not a hand edit.
    expect((await fleet.server.exec(['readlink', `/etc/nginx/ruche/sites/${subfolder(plain.id)}`])).stdout).toMatch(/^\.\.\/\.\.\/\.store\//);
    expect((await fleet.server.exec(['find', '/etc/nginx/ruche/sites/', '-maxdepth', '1', '-type', 'f'])).stdout).toBe('');
    expect((await fleet.server.exec(['grep', '-c', '/etc/nginx/ruche/sites/\\*/\\*\\.conf;', '/etc/nginx/ruche/http.conf'])).stdout.trim()).toBe('1');
    expect(await hello(`plain.${zone}`)).toBe('on the air\n');
    expect((await get(`/api/v1/sites/${plain.id}`)).phase).toBe('ready');
    expect((await get(`/api/v1/resource-events?resourceId=${plain.id}`)).data.map((event: { kind: string }) => event.kind)).not.toContain('drift');
    // The refused site moved with the others, as it was.
    expect((await fleet.server.exec(['grep', '-c', 'also', `/etc/nginx/ruche/${siteFile(held.id)}`])).stdout.trim()).toBe('0');
    expect((await get(`/api/v1/sites/${held.id}`)).phase).toBe('failed');

    // nginx reads the new layout at its next reload (a new site's): every site answers as before,
    // and the new release shares the subfolders the change leaves alone.
    const before = (await fleet.server.exec(['readlink', '/etc/nginx/ruche'])).stdout.trim();
    const fresh = await client.post('/api/v1/sites', { organizationId, hostnames: [`fresh.${zone}`] });
    await phaseOf(`/api/v1/sites/${fresh.body.id}`, 'ready');
    const after = (await fleet.server.exec(['readlink', '/etc/nginx/ruche'])).stdout.trim();
    expect(after).not.toBe(before);
    const link = async (release: string, folder: string) => (await fleet.server.exec(['readlink', `${release}/sites/${folder}`])).stdout.trim();
    expect(await link(after, subfolder(fresh.body.id))).toBe(`../../.store/${after.split('/').pop()}/${subfolder(fresh.body.id)}`);
    // The subfolders no run since touched (the new site's, and those of sites not ready, which
    // are retried: the held one, earlier tests' refused ones) are the ones the release before links to.
    const sites = (await fleet.api.db.query(`SELECT id, phase FROM sites WHERE server_id = $1`, [fleet.serverId])) as Array<{ id: string; phase: string }>;
    const touched = new Set([subfolder(fresh.body.id), ...sites.filter((site) => site.phase !== 'ready').map((site) => subfolder(site.id))]);
    const untouched = [...new Set(sites.map((site) => subfolder(site.id)))].filter((folder) => !touched.has(folder));
    expect(untouched.length).toBeGreaterThan(0);
    for (const folder of untouched) expect({ folder, link: await link(after, folder) }).toEqual({ folder, link: await link(before, folder) });
    expect(await hello(`plain.${zone}`)).toBe('on the air\n');
    expect(await hello(`held.${zone}`)).toBe('on the air\n');
    expect(await hello(`also.held.${zone}`)).toBe(404);
    expect((await httpGet(fleet.server.ports.http!, { host: fresh.body.hostnames[0] })).body).toContain('hébergé par la coop');
  });

  it('tells sysadmins when old releases cannot be cleaned up from a server, and the change goes live all the same', async () => {
    const domain = await liveDomain('cleanup', [{ type: 'A', name: 'studio', value: '192.0.2.20' }]);
    const studio = (await get(`/api/v1/domains/${domain.id}/records`)).data.find((record: { name: string }) => record.name === 'studio');
    // (DNS's only: a web run in the meantime lists its releases with the same command.)
    const events = async () =>
      ((await fleet.admin.get(`/api/v1/server-events?serverId=${fleet.serverId}&kind=cleanup_skipped`)).body.data as Array<{ service: string; message: string }>).filter((event) => event.service === 'dns');
    const before = (await events()).length;
    // The listing of the kept releases' links fails on the server (a find that breaks on it).
    const breakFind = `real=$(command -v find) && printf '#!/bin/sh\\ncase " $* " in *%%l*) echo "find: broken for the test" >&2; exit 1 ;; esac\\nexec %s "$@"\\n' "$real" > /usr/local/sbin/find && chmod +x /usr/local/sbin/find`;
    expect((await fleet.server.exec(['sh', '-c', breakFind])).exitCode).toBe(0);
    try {
      expect((await client.patch(`/api/v1/domains/${domain.id}/records/${studio.id}`, { value: '192.0.2.21' })).status).toBe(200);
      await phaseOf(`/api/v1/domains/${domain.id}`, 'ready');
      expect((await queryDns({ port: fleet.server.ports.dnsUdp!, name: `studio.${domain.name}`, type: 'A' })).answers[0]?.data).toBe('192.0.2.21');
      const [event] = await eventually(async () => ((await events()).length > before ? events() : null), 10_000, 'a cleanup_skipped event');
      expect(event).toMatchObject({ service: 'dns', message: 'the kept releases could not be listed; every shared subfolder is kept (find: broken for the test)' });
      // Said once an hour, not at every change (a busy server changes all day).
      const again = Date.now();
      expect((await client.patch(`/api/v1/domains/${domain.id}/records/${studio.id}`, { value: '192.0.2.23' })).status).toBe(200);
      await runEnded('dns', again, 'succeeded');
      expect((await events()).length).toBe(before + 1);
    } finally {
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/find']);
    }
    // Once the server lists them again, the next change cleans up and says nothing.
    const count = (await events()).length;
    const fixed = Date.now();
    expect((await client.patch(`/api/v1/domains/${domain.id}/records/${studio.id}`, { value: '192.0.2.22' })).status).toBe(200);
    await runEnded('dns', fixed, 'succeeded');
    expect((await events()).length).toBe(count);
    const releases = '/etc/knot/ruche.releases';
    const linked = (await fleet.server.exec(['sh', '-c', 'find "$1"/[0-9]*/zones -mindepth 1 -maxdepth 1 -type l -printf "%l\\n" | cut -d/ -f4 | sort -u', 'sh', releases])).stdout.trim().split('\n');
    expect((await fleet.server.exec(['ls', `${releases}/.store`])).stdout.trim().split('\n').sort()).toEqual(linked.sort());
  });

  it("serves HTTPS with a certificate for the site's names (made again when they change), and redirect-only sites", async () => {
    const domain = await liveDomain('tls');
    const zone = domain.name;
    const plainSite = await liveSite([`www.${zone}`]);
    expect(plainSite.id).toBeTruthy();
    const secure = await client.post('/api/v1/sites', { organizationId, hostnames: [`secure.${zone}`], https: true });
    expect(secure.status).toBe(201);
    await phaseOf(`/api/v1/sites/${secure.body.id}`, 'ready');
    const first = await httpsGet(fleet.server.ports.https!, { host: `secure.${zone}` });
    expect(first.status).toBe(200);
    expect(first.body).toContain('hébergé par la coop');
    expect(first.certificateNames).toBe(`DNS:secure.${zone}`);

    const patched = await client.patch(`/api/v1/sites/${secure.body.id}`, { hostnames: [`secure.${zone}`, `tls.${zone}`] });
    expect(patched.body.phase).toBe('pending');
    await phaseOf(`/api/v1/sites/${secure.body.id}`, 'ready');
    const renewed = await httpsGet(fleet.server.ports.https!, { host: `tls.${zone}` });
    expect(renewed.status).toBe(200);
    expect(renewed.certificateNames).toBe(`DNS:secure.${zone}, DNS:tls.${zone}`);
    // A first name longer than a certificate's CN may be (64) is fine: the names are in the SAN.
    const long = `${'l'.repeat(63)}.${zone}`;
    await client.patch(`/api/v1/sites/${secure.body.id}`, { hostnames: [long, `secure.${zone}`] });
    await phaseOf(`/api/v1/sites/${secure.body.id}`, 'ready');
    expect((await httpsGet(fleet.server.ports.https!, { host: long })).certificateNames).toBe(`DNS:${long}, DNS:secure.${zone}`);
    // Sites without HTTPS are not served on 443 under their name: a placeholder certificate
    // (not another site's) and 421 Misdirected Request; nor is a name the server does not serve.
    const plain = await httpsGet(fleet.server.ports.https!, { host: `www.${zone}`, path: '/hello.txt' });
    expect({ status: plain.status, names: plain.certificateNames, leaked: plain.body.includes('on the air') }).toEqual({ status: 421, names: 'DNS:invalid', leaked: false });
    expect((await httpsGet(fleet.server.ports.https!, { host: `nobody.${zone}` })).status).toBe(421);
    // …without an error line in nginx's log at each such handshake.
    expect((await fleet.server.exec(['sh', '-c', 'grep -c "cannot load certificate" /var/log/nginx/error.log || true'])).stdout.trim()).toBe('0');

    const moved = await client.post('/api/v1/sites', { organizationId, hostnames: [`old.${zone}`], redirectTo: `https://www.${zone}/archives/` });
    expect(moved.status).toBe(201);
    await phaseOf(`/api/v1/sites/${moved.body.id}`, 'ready');
    const answer = await httpGet(fleet.server.ports.http!, { host: `old.${zone}`, path: '/anything' });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe(`https://www.${zone}/archives/`);

    // A deleted HTTPS site leaves no key behind on the server.
    const pairs = () => fleet.server.exec(['sh', '-c', 'ls /etc/ruche/certs/ | grep -c -- "^$1" || true', 'pairs', secure.body.id]).then((result) => Number(result.stdout.trim()));
    // One pair (certificate and key): the ones made for its earlier names went once the new one served.
    expect(await pairs()).toBe(2);
    expect((await client.delete(`/api/v1/sites/${secure.body.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${secure.body.id}`)).status === 404, 15_000, 'the site row to go');
    expect(await pairs()).toBe(0);
    expect((await httpsGet(fleet.server.ports.https!, { host: `secure.${zone}` })).status).toBe(421);
  });

  it('blames an HTTPS site whose certificate cannot be made, keeps its last good one, and serves the others', async () => {
    const { name: zone } = await liveDomain('nocert');
    const https = fleet.server.ports.https!;
    const site = await client.post('/api/v1/sites', { organizationId, hostnames: [`a.${zone}`], https: true });
    await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
    // A folder where the new key must be written: openssl cannot make the pair for the new names
    // (a pair is named by the site and a hash of its names).
    const pairFor = (names: string[]) => `/etc/ruche/certs/${site.body.id}-${createHash('sha256').update(names.map((name) => `DNS:${name}`).join(',')).digest('hex').slice(0, 16)}`;
    const newPair = pairFor([`a.${zone}`, `b.${zone}`]);
    await fleet.server.exec(['mkdir', `${newPair}.key.new`]);
    expect((await client.patch(`/api/v1/sites/${site.body.id}`, { hostnames: [`a.${zone}`, `b.${zone}`] })).status).toBe(200);
    const other = await client.post('/api/v1/sites', { organizationId, hostnames: [`c.${zone}`], https: true });
    const failed = await phaseOf(`/api/v1/sites/${site.body.id}`, 'failed');
    expect(failed.lastError).toMatch(new RegExp(`no certificate could be made for the names of ${literally(siteFile(site.body.id))}:1`));
    await phaseOf(`/api/v1/sites/${other.body.id}`, 'ready');
    expect((await httpsGet(https, { host: `c.${zone}` })).certificateNames).toBe(`DNS:c.${zone}`);
    // Its last good configuration and pair still serve its old name; the new name is not served.
    expect((await httpsGet(https, { host: `a.${zone}` })).certificateNames).toBe(`DNS:a.${zone}`);
    expect((await httpGet(fleet.server.ports.http!, { host: `b.${zone}` })).status).toBe(404);
    // Once the way is clear, a retry makes the pair and the new name goes live.
    await fleet.server.exec(['rmdir', `${newPair}.key.new`]);
    expect((await fleet.admin.post('/api/v1/jobs/retry', { resourceType: 'site', resourceId: site.body.id })).status).toBe(202);
    await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
    expect((await httpsGet(https, { host: `b.${zone}` })).certificateNames).toBe(`DNS:a.${zone}, DNS:b.${zone}`);
    // Keys are readable by nginx's workers (their group), not by anyone else.
    expect((await fleet.server.exec(['stat', '-c', '%a %U %G', `${newPair}.key`])).stdout.trim()).toBe('640 root www-data');
    // The pair for its first names served while the new one could not be made; once the new
    // release serves, only the pair it names is left, and so on at each change of names.
    const pairs = async () => (await fleet.server.exec(['sh', '-c', 'cd /etc/ruche/certs && ls -- "$1"*', 'pairs', site.body.id])).stdout.trim().split('\n').sort();
    const files = (pair: string) => [`${pair.split('/').pop()}.crt`, `${pair.split('/').pop()}.key`];
    expect(await pairs()).toEqual(files(newPair));
    expect((await client.patch(`/api/v1/sites/${site.body.id}`, { hostnames: [`b.${zone}`] })).status).toBe(200);
    await phaseOf(`/api/v1/sites/${site.body.id}`, 'ready');
    expect((await httpsGet(https, { host: `b.${zone}` })).certificateNames).toBe(`DNS:b.${zone}`);
    expect(await pairs()).toEqual(files(pairFor([`b.${zone}`])));
  });

  it('gives a name to the site that takes it now, though a failed site’s last good configuration still claims it', async () => {
    const { name: zone } = await liveDomain('claim');
    const first = await client.post('/api/v1/sites', { organizationId, hostnames: [`a.${zone}`], https: true });
    await phaseOf(`/api/v1/sites/${first.body.id}`, 'ready');
    // Its next names cannot get a pair (see above): it fails, its last good file keeps a.<zone>.
    const blocked = `/etc/ruche/certs/${first.body.id}-${createHash('sha256').update(`DNS:b.${zone}`).digest('hex').slice(0, 16)}.key.new`;
    await fleet.server.exec(['mkdir', blocked]);
    try {
      expect((await client.patch(`/api/v1/sites/${first.body.id}`, { hostnames: [`b.${zone}`] })).status).toBe(200);
      await phaseOf(`/api/v1/sites/${first.body.id}`, 'failed');
      expect((await httpsGet(fleet.server.ports.https!, { host: `a.${zone}` })).certificateNames).toBe(`DNS:a.${zone}`);
      // The name is free in Ruche: another site takes it, and goes live with it.
      const second = await client.post('/api/v1/sites', { organizationId, hostnames: [`a.${zone}`], redirectTo: 'https://ailleurs.example/' });
      expect(second.status, JSON.stringify(second.body)).toBe(201);
      await phaseOf(`/api/v1/sites/${second.body.id}`, 'ready');
      // At its first try: the run that applied it knew the failed site's stale file was in the way.
      const events = (await get(`/api/v1/resource-events?resourceId=${second.body.id}`)).data as Array<{ toPhase: string | null }>;
      expect(events.map((event) => event.toPhase)).not.toContain('failed');
      const answer = await httpGet(fleet.server.ports.http!, { host: `a.${zone}` });
      expect({ status: answer.status, location: answer.headers.location }).toEqual({ status: 301, location: 'https://ailleurs.example/' });
      // The failed site's stale configuration was taken off, and it says why.
      const failed = (await client.get(`/api/v1/sites/${first.body.id}`)).body;
      expect(failed.phase).toBe('failed');
      // (nginx names the file of the two it read second: either, by their subfolders.)
      const why = `its last good configuration no longer passes the check and was taken off the server: another site now serves a name its last good configuration still claimed (conflicting parameter "a.${zone}" in `;
      const files = [siteFile(first.body.id), siteFile(second.body.id)].map(literally).join('|');
      expect(failed.lastError).toMatch(new RegExp(`^${literally(why)}(${files}):\\d+\\)$`));
      expect((await fleet.server.exec(['test', '-e', `/etc/nginx/ruche/${siteFile(first.body.id)}`])).exitCode).not.toBe(0);
    } finally {
      await fleet.server.exec(['rmdir', blocked]);
    }
  });

  it('measures what sites take on disk for the web storage meter, and the daily sample records it', async () => {
    const { name: zone } = await liveDomain('storage');
    const outer = await client.post('/api/v1/sites', { organizationId, hostnames: [`files.${zone}`], documentRoot: 'files' });
    const inner = await client.post('/api/v1/sites', { organizationId, hostnames: [`blog.${zone}`], documentRoot: 'files/blog' });
    const linked = await client.post('/api/v1/sites', { organizationId, hostnames: [`linked.${zone}`], documentRoot: 'linked' });
    for (const created of [outer, inner, linked]) await phaseOf(`/api/v1/sites/${created.body.id}`, 'ready');
    const [{ prefix }] = await fleet.api.db.query(`SELECT prefix FROM organization_hosting WHERE organization_id = $1`, [organizationId]);
    const space = `/srv/ruche/${prefix}`;
    const written = await fleet.server.exec(['sh', '-c', 'dd if=/dev/urandom of="$1/files/big.bin" bs=1M count=3 2>/dev/null && dd if=/dev/urandom of="$1/files/blog/post.bin" bs=1M count=2 2>/dev/null && sync', 'fill', space]);
    expect(written.exitCode, written.stderr).toBe(0);
    // A client's symbolic link in place of a document root never points du (root) elsewhere.
    const swapped = await fleet.server.exec(['sh', '-c', 'rm -rf -- "$1/linked" && ln -s /usr "$1/linked"', 'swap', space]);
    expect(swapped.exitCode, swapped.stderr).toBe(0);

    const { StorageMeter } = await import('@ruche/provisioning');
    const measured = await fleet.worker!.get(StorageMeter).measureAll();
    expect(measured.failures).toEqual([]);
    expect(measured.resources).toBeGreaterThanOrEqual(2);
    // The outer root holds both files; the inner one is inside it and is not counted twice.
    const outerBytes = (await get(`/api/v1/sites/${outer.body.id}`)).storageBytes;
    expect(outerBytes).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(outerBytes).toBeLessThan(6 * 1024 * 1024);
    expect((await get(`/api/v1/sites/${inner.body.id}`)).storageBytes).toBe(0);
    expect((await get(`/api/v1/sites/${linked.body.id}`)).storageBytes).toBe(0);
    const usage = await get(`/api/v1/organizations/${organizationId}/usage`);
    const web = usage.meters.find((meter: { meter: string }) => meter.meter === 'web_storage_mb');
    expect(web.used).toBeGreaterThanOrEqual(5);
    expect(web.used).toBeLessThanOrEqual(7);

    const { UsageService } = await import('@ruche/hosting');
    await fleet.worker!.get(UsageService).sampleDay('2026-11-25');
    const [sample] = await fleet.api.db.query(`SELECT quantity FROM usage_samples WHERE organization_id = $1 AND meter = 'web_storage_mb' AND day = '2026-11-25'`, [organizationId]);
    expect(Number(sample.quantity)).toBe(web.used);
  });

  it('stops serving a deleted site, and its row goes', async () => {
    const { name: zone } = await liveDomain('deleted');
    const site = await liveSite([zone]);
    expect((await httpGet(fleet.server.ports.http!, { host: zone, path: '/hello.txt' })).body).toBe('on the air\n');
    expect((await client.delete(`/api/v1/sites/${site.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/sites/${site.id}`)).status === 404, 15_000, 'the site row to go');
    // A name the server no longer serves gets 404, not another site and not nginx's own page.
    const answer = await httpGet(fleet.server.ports.http!, { host: zone, path: '/hello.txt' });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 404, body: expect.not.stringContaining('on the air') });
    expect((await httpGet(fleet.server.ports.http!, { host: zone })).status).toBe(404);
    expect(await liveSiteFiles()).not.toContain(site.id);
    const events = await get(`/api/v1/resource-events?resourceId=${site.id}`);
    expect(events.data[0], JSON.stringify(events.data, null, 1)).toMatchObject({ kind: 'deleted' });
  });
});

describe("what Ruche changes on a server", () => {
  it("adds one include line to Knot's configuration, leaves the distribution's files alone after that, and marks its own files", async () => {
    const { name: zone } = await liveDomain('own-files');
    await liveSite([zone]);
    const includes = async () =>
      (await fleet.server.exec(['grep', '-cxF', 'include: /etc/knot/ruche/knot.conf', '/etc/knot/knot.conf'])).stdout.trim();
    expect(await includes()).toBe('1');
    const distribution = ['/etc/knot/knot.conf', '/etc/nginx/nginx.conf', '/etc/nginx/sites-enabled/default'];
    const before = (await fleet.server.exec(['sha256sum', ...distribution])).stdout;

    // A forced resync re-prepares and re-activates both services: nothing of the distribution's changes again.
    const asked = Date.now();
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    await eventually(async () => {
      const runs = (await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=20`)).body.data as Array<{ service: string; trigger: string; status: string; startedAt: string | null }>;
      const done = (service: string) => runs.some((run) => run.service === service && run.trigger === 'resync' && run.status === 'succeeded' && Date.parse(run.startedAt!) >= asked - 1000);
      return done('web') && done('dns');
    }, 30_000, 'the resync of web and dns');
    expect((await fleet.server.exec(['sha256sum', ...distribution])).stdout).toBe(before);
    expect(await includes()).toBe('1');

    // Every configuration file Ruche wrote says so on its first line; nothing else is in conf.d.
    const own = await fleet.server.exec(['sh', '-c', 'find -L /etc/nginx/ruche /etc/knot/ruche /etc/nginx/conf.d -type f \\( -name "*.conf" -o -name "*.zone" \\) -print']);
    const files = own.stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['/etc/nginx/conf.d/ruche.conf', '/etc/knot/ruche/knot.conf', `/etc/knot/ruche/zones/${subfolder(zone)}/${zone}.zone`]));
    expect(files.filter((file) => file.startsWith('/etc/nginx/conf.d/'))).toEqual(['/etc/nginx/conf.d/ruche.conf']);
    // Debian's nginx.conf leaves the maps' hash to its defaults: Ruche's file sizes it for long names.
    expect((await fleet.server.exec(['grep', '-c', 'map_hash_bucket_size', '/etc/nginx/conf.d/ruche.conf'])).stdout.trim()).toBe('1');
    for (const file of files) {
      const first = (await fleet.server.exec(['head', '-n', '1', file])).stdout;
      expect(first, file).toMatch(/^[#;] Managed by Ruche/);
    }
  });
});

describe('thousands of zones at once', () => {
  it('checks them in parts side by side, and still blames each zone Knot refuses, whichever part it is in', async () => {
    await restartWorkerRendering((resource, text) => (resource.type === 'domain' && text.includes('break-me') ? `${text}broken 3600 IN A 192.0.2.300\n` : text));
    const ZONES = 2500;
    const broken = [100, 1300, 2400];
    const tag = randomBytes(3).toString('hex');
    const name = (n: number) => `bulk-${tag}-${String(n).padStart(4, '0')}.org`;
    // Written straight into the database, as after an import (the API's own path is tested elsewhere).
    await fleet.api.db.query(
      `INSERT INTO domains (id, organization_id, server_id, name, unicode_name, mail_enabled, serial)
       SELECT uuidv7(), $1, $2, n, n, false, 2026120201 FROM unnest($3::text[]) AS n`,
      [organizationId, fleet.serverId, Array.from({ length: ZONES }, (_, i) => name(i + 1))],
    );
    await fleet.api.db.query(
      `INSERT INTO dns_records (id, domain_id, organization_id, type, name, value, ttl)
       SELECT uuidv7(), d.id, d.organization_id, 'TXT', '@', CASE WHEN d.name = ANY($2::text[]) THEN 'break-me' ELSE 'fine' END, 3600
         FROM domains d WHERE d.name LIKE $1`,
      [`bulk-${tag}-%`, broken.map(name)],
    );
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    const phases = async () =>
      (await fleet.api.db.query(`SELECT name, phase, last_error FROM domains WHERE name LIKE $1 ORDER BY name`, [`bulk-${tag}-%`])) as Array<{ name: string; phase: string; last_error: string | null }>;
    const settled = await eventually(async () => {
      const rows = await phases();
      return rows.every((row) => row.phase === 'ready' || row.phase === 'failed') ? rows : null;
    }, 120_000, `${ZONES} zones to be applied`);

    const failed = settled.filter((row) => row.phase === 'failed');
    expect(failed.map((row) => row.name)).toEqual(broken.map(name));
    for (const row of failed) expect(row.last_error).toMatch(new RegExp(`file '${literally(zoneFile(row.name))}', line \\d+ \\(invalid IPv4 address\\)`));
    expect(settled.filter((row) => row.phase === 'ready')).toHaveLength(ZONES - broken.length);
    for (const n of [1, 1299, 1301, ZONES]) {
      const answer = await queryDns({ port: fleet.server.ports.dnsUdp!, name: name(n), type: 'TXT' });
      expect(answer.answers.map((a) => a.data).join(), name(n)).toContain('fine');
    }
    const refused = await queryDns({ port: fleet.server.ports.dnsUdp!, name: name(1300), type: 'TXT' });
    expect(refused.answers).toEqual([]);

    // Taken off again, so the server stays small.
    await fleet.api.db.query(`UPDATE domains SET phase = 'deleting', generation = generation + 1 WHERE name LIKE $1`, [`bulk-${tag}-%`]);
    expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
    await eventually(async () => ((await phases()).length === 0 ? true : null), 120_000, 'the zones to be gone');
  });

  it('refuses the whole release when a part of the check dies without a word (killed), and applies it once the checker works', async () => {
    // A knotc in front of the real one: the check of the second part is killed by a signal.
    const shim = await fleet.server.exec([
      'sh',
      '-c',
      'real=$(command -v knotc) && printf \'#!/bin/sh\\ncase "$*" in *check-1.conf*zone-check*) kill -KILL $$ ;; esac\\nexec %s "$@"\\n\' "$real" > /usr/local/sbin/knotc && chmod +x /usr/local/sbin/knotc',
    ]);
    expect(shim.exitCode, shim.stderr).toBe(0);
    try {
      const tag = randomBytes(3).toString('hex');
      const names = Array.from({ length: 1500 }, (_, i) => `killed-${tag}-${String(i).padStart(4, '0')}.org`);
      await fleet.api.db.query(
        `INSERT INTO domains (id, organization_id, server_id, name, unicode_name, mail_enabled, serial)
         SELECT uuidv7(), $1, $2, n, n, false, 2026120201 FROM unnest($3::text[]) AS n`,
        [organizationId, fleet.serverId, names],
      );
      const phases = async () => (await fleet.api.db.query(`SELECT phase, last_error FROM domains WHERE name LIKE $1`, [`killed-${tag}-%`])) as Array<{ phase: string; last_error: string | null }>;
      type Run = { id: string; service: string; status: string; error: string | null };
      const newestRuns = async () => (await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=20`)).body.data as Run[];
      const lastBefore = (await newestRuns())[0]?.id ?? '';
      expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
      const failed = await eventually(async () => {
        const rows = await phases();
        return rows.every((row) => row.phase === 'failed') ? rows : null;
      }, 60_000, 'the zones to fail');
      // The client reads that the server refused the change; sysadmins read why in the job log.
      expect(failed[0]!.last_error).toMatch(/refused the change/);
      // (Among the newest runs: a retry of the failed zones may already be running. The run's own
      // row is finished just after the zones' outcomes are recorded.)
      const refused = await eventually(async () => (await newestRuns()).find((run) => run.id > lastBefore && run.service === 'dns' && run.status === 'failed'), 10_000, 'the refused run to be finished');
      expect(refused.error).toMatch(/a part of the check exited with status 137/);
      // Nothing of that release went live: the first part's zones (checked and fine) are not served either.
      expect((await queryDns({ port: fleet.server.ports.dnsUdp!, name: names[0]!, type: 'SOA' })).answers).toEqual([]);

      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/knotc']);
      expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
      await eventually(async () => ((await phases()).every((row) => row.phase === 'ready') ? true : null), 60_000, 'the zones to be applied');
      expect((await queryDns({ port: fleet.server.ports.dnsUdp!, name: names[1499]!, type: 'SOA' })).answers).toHaveLength(1);
      await fleet.api.db.query(`UPDATE domains SET phase = 'deleting', generation = generation + 1 WHERE name LIKE $1`, [`killed-${tag}-%`]);
      expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
      await eventually(async () => ((await phases()).length === 0 ? true : null), 60_000, 'the zones to be gone');
    } finally {
      await fleet.server.exec(['rm', '-f', '/usr/local/sbin/knotc']);
    }
  });
});
