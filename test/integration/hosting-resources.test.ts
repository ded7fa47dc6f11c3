import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

let api: TestApi;
let admin: Caller;
let servers: Awaited<ReturnType<typeof makeServers>>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  servers = await makeServers(admin);
});
afterAll(() => api?.close());

/** Reconcile jobs waiting in the queue, by key. */
async function queuedReconciles(): Promise<string[]> {
  const rows = await api.db.query(`SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'provisioning:reconcile' AND key IS NOT NULL ORDER BY key`);
  return rows.map((row: { key: string }) => row.key);
}

const expectPending = (resource: Record<string, unknown>) =>
  expect(resource).toMatchObject({ phase: 'pending', lastError: null, generation: 1, observedGeneration: 0, attempts: 0, nextAttemptAt: null });

describe('a client hosting their organisation through the API alone', () => {
  it('creates a domain with records, a site, a mailbox, an alias and a database, each pending with a reconcile queued', async () => {
    const { organization, caller } = await makeHostingClient(api, admin, { name: 'Café des Ruelles' });
    await api.db.query(`DELETE FROM graphile_worker._private_jobs`);

    const domain = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'Café-Ruelles.ca' });
    expect(domain.status).toBe(201);
    expect(domain.body).toMatchObject({ organizationId: organization.id, name: 'xn--caf-ruelles-dbb.ca', unicodeName: 'café-ruelles.ca', mailEnabled: true, serverId: servers.dns.id });
    expectPending(domain.body);
    expect(String(domain.body.serial)).toMatch(/^\d{8}\d{2}$/);

    // The default zone points at the organisation's web and mail servers, with SPF and DMARC for its mail.
    const defaults = await caller.get(`/api/v1/domains/${domain.body.id}/records`);
    expect(defaults.body.data.map((r: any) => `${r.name} ${r.type} ${r.priority ?? ''} ${r.value}`.replace(/\s+/g, ' ')).sort()).toEqual([
      '@ A 192.0.2.10',
      '@ AAAA 2001:db8::10',
      '@ MX 10 mail.coop.example',
      '@ TXT v=spf1 mx ~all',
      '_dmarc TXT v=DMARC1; p=none',
      'www CNAME xn--caf-ruelles-dbb.ca',
    ]);

    const txt = await caller.post(`/api/v1/domains/${domain.body.id}/records`, { type: 'TXT', name: '@', value: '"hello world"', ttl: 600 });
    expect(txt.status).toBe(201);
    expect(txt.body).toMatchObject({ type: 'TXT', name: '@', value: 'hello world', ttl: 600, phase: 'pending', organizationId: organization.id });
    const srv = await caller.post(`/api/v1/domains/${domain.body.id}/records`, { type: 'SRV', name: '_imaps._tcp', value: '1 993 mail.coop.example.', priority: 0 });
    expect(srv.status).toBe(201);

    const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['café-ruelles.ca', 'WWW.xn--caf-ruelles-dbb.ca.'] });
    expect(site.status).toBe(201);
    expect(site.body).toMatchObject({ hostnames: ['xn--caf-ruelles-dbb.ca', 'www.xn--caf-ruelles-dbb.ca'], documentRoot: 'sites/xn--caf-ruelles-dbb.ca', https: false, redirectTo: null, serverId: servers.web.id });
    expectPending(site.body);

    const mailbox = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: 'Info@café-ruelles.ca', password: 'a-long-mailbox-password', quotaMb: 1024 });
    expect(mailbox.status).toBe(201);
    expect(mailbox.body).toMatchObject({ address: 'info@xn--caf-ruelles-dbb.ca', quotaMb: 1024, serverId: servers.mail.id });
    expect(mailbox.body).not.toHaveProperty('password');
    expect(mailbox.body).not.toHaveProperty('passwordHash');
    expectPending(mailbox.body);
    const [stored] = await api.db.query(`SELECT password_hash FROM mailboxes WHERE id = $1`, [mailbox.body.id]);
    expect(stored.password_hash).toMatch(/^\{ARGON2ID\}\$argon2id\$/);

    const alias = await caller.post('/api/v1/aliases', {
      organizationId: organization.id,
      address: 'bonjour@xn--caf-ruelles-dbb.ca',
      destinations: ['info@xn--caf-ruelles-dbb.ca', 'Benevole@Example.NET'],
    });
    expect(alias.status).toBe(201);
    expect(alias.body).toMatchObject({ destinations: ['info@xn--caf-ruelles-dbb.ca', 'benevole@example.net'], catchAll: false });
    expectPending(alias.body);

    const database = await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: 'wordpress' });
    expect(database.status).toBe(201);
    expect(database.body).toMatchObject({ engine: 'mariadb', name: 'cafedesr_wordpress', serverId: servers.databases.id });
    expectPending(database.body);

    const user = await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'mariadb', name: 'wp', databases: [database.body.id] });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({ name: 'cafedesr_wp', databases: [database.body.id] });
    expect(user.body.password).toMatch(/^[A-Za-z2-9]{24}$/);
    const again = await caller.get(`/api/v1/database-users/${user.body.id}`);
    expect(again.body).not.toHaveProperty('password');
    const [verifier] = await api.db.query(`SELECT password_verifier FROM database_users WHERE id = $1`, [user.body.id]);
    expect(verifier.password_verifier).toMatch(/^\*[0-9A-F]{40}$/);

    // One coalesced reconcile job per (server, service), however many changes were made.
    expect(await queuedReconciles()).toEqual(
      [
        `reconcile:${servers.databases.id}:mariadb`,
        `reconcile:${servers.dns.id}:dns`,
        `reconcile:${servers.mail.id}:mail`,
        `reconcile:${servers.web.id}:web`,
      ].sort(),
    );

    for (const [path, id] of [
      ['domains', domain.body.id],
      ['sites', site.body.id],
      ['mailboxes', mailbox.body.id],
      ['aliases', alias.body.id],
      ['databases', database.body.id],
    ]) {
      const listed = await caller.get(`/api/v1/${path}?organizationId=${organization.id}`);
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([id]);
    }

    const events = await caller.get(`/api/v1/resource-events?resourceId=${site.body.id}`);
    expect(events.body.data).toEqual([expect.objectContaining({ kind: 'phase', fromPhase: null, toPhase: 'pending', resourceType: 'site', generation: 1 })]);
  });

  it('bumps the generation and the zone serial on every change, and keeps deleted things until the server lets go', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const domain = await makeDomain(caller, organization.id);
    const record = await caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'A', name: 'app', value: '192.0.2.50' });
    const afterCreate = (await caller.get(`/api/v1/domains/${domain.id}`)).body;
    expect(afterCreate.serial).toBeGreaterThan(domain.serial);
    expect(afterCreate.generation).toBe(2);
    const changed = await caller.patch(`/api/v1/domains/${domain.id}/records/${record.body.id}`, { value: '192.0.2.51', ttl: 300 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ value: '192.0.2.51', ttl: 300, generation: 3 });
    const afterChange = (await caller.get(`/api/v1/domains/${domain.id}`)).body;
    expect(afterChange.serial).toBeGreaterThan(afterCreate.serial);

    expect((await caller.delete(`/api/v1/domains/${domain.id}/records/${record.body.id}`)).status).toBe(204);
    expect((await caller.get(`/api/v1/domains/${domain.id}/records/${record.body.id}`)).status).toBe(404);

    const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [domain.name] });
    const inUse = await caller.delete(`/api/v1/domains/${domain.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('domain_in_use');

    // A site answering only below the domain holds it too.
    const other = await makeDomain(caller, organization.id);
    await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`blog.${other.name}`] });
    const below = await caller.delete(`/api/v1/domains/${other.id}`);
    expect(below.status).toBe(409);
    expect(below.body.error.code).toBe('domain_in_use');

    expect((await caller.delete(`/api/v1/sites/${site.body.id}`)).status).toBe(202);
    const deleting = await caller.get(`/api/v1/sites/${site.body.id}`);
    expect(deleting.body).toMatchObject({ phase: 'deleting', generation: 2 });
    const events = await caller.get(`/api/v1/resource-events?resourceId=${site.body.id}`);
    expect(events.body.data.map((e: { toPhase: string }) => e.toPhase)).toEqual(['deleting', 'pending']);
    const edit = await caller.patch(`/api/v1/sites/${site.body.id}`, { https: true });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('resource_deleting');
  });

  it('lets staff place an organisation on chosen servers, and otherwise picks the least loaded', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const spare = await admin.post('/api/v1/servers', { name: 'web-spare', address: '127.0.0.1', transport: 'local', services: ['web'] });
    const domain = await makeDomain(caller, organization.id);
    await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`busy.${domain.name}`], serverId: servers.web.id });
    // The spare server holds nothing: the least loaded one wins.
    const first = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [domain.name] });
    expect(first.body.serverId).toBe(spare.body.id);
    const placed = await admin.patch(`/api/v1/organizations/${organization.id}`, { placement: { web: servers.web.id } });
    expect(placed.status).toBe(200);
    const second = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`www.${domain.name}`] });
    expect(second.body.serverId).toBe(servers.web.id);
    const profile = await caller.get(`/api/v1/organizations/${organization.id}/hosting`);
    expect(profile.body.placement, JSON.stringify(profile.body)).toEqual({ web: servers.web.id });
    // Clients neither choose servers nor set placement.
    expect((await caller.patch(`/api/v1/organizations/${organization.id}`, { placement: { web: null } })).status).toBe(403);
    const chosen = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`x.${domain.name}`], serverId: spare.body.id });
    expect(chosen.status).toBe(403);
    const staffChoice = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`y.${domain.name}`], serverId: spare.body.id });
    expect(staffChoice.body.serverId).toBe(spare.body.id);
    const wrongService = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: [`z.${domain.name}`], serverId: servers.dns.id });
    expect(wrongService.status).toBe(422);
    expect(wrongService.body.error.details[0]).toMatchObject({ field: 'serverId', code: 'server_unsuitable' });
    const badPlacement = await admin.patch(`/api/v1/organizations/${organization.id}`, { placement: { web: servers.dns.id } });
    expect(badPlacement.status).toBe(422);
  });

  it('refuses to place anything when no active server offers the service', async () => {
    const lonely = await startTestApi();
    try {
      const staff = await lonely.admin();
      const { organization, caller } = await makeHostingClient(lonely, staff);
      const response = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'nowhere.org' });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('no_server_available');
      expect((await lonely.db.query(`SELECT count(*)::int AS n FROM domains`))[0].n).toBe(0);
    } finally {
      await lonely.close();
    }
  });

  it('manages servers for sysadmins only', async () => {
    const { caller } = await makeHostingClient(api, admin);
    expect((await caller.get('/api/v1/servers')).status).toBe(403);
    const duplicate = await admin.post('/api/v1/servers', { name: servers.web.name, address: '127.0.0.1', transport: 'local', services: ['web'] });
    expect(duplicate.status).toBe(409);
    const listed = await admin.get('/api/v1/servers?limit=200');
    expect(listed.body.data.find((s: { id: string }) => s.id === servers.web.id).resourceCount).toBeGreaterThan(0);
    expect((await admin.delete(`/api/v1/servers/${servers.web.id}`)).status).toBe(409);
    const paused = await admin.patch(`/api/v1/servers/${servers.web.id}`, { status: 'paused' });
    expect(paused.body.status).toBe('paused');
    await admin.patch(`/api/v1/servers/${servers.web.id}`, { status: 'active' });
  });

  it('turns a waiting change into a resync when a sysadmin asks for one, without a second job', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'resync-me.org' });
    const queued = async () =>
      (await admin.get(`/api/v1/jobs?status=queued&serverId=${servers.dns.id}`)).body.data.map((job: { service: string; trigger: string }) => `${job.service}:${job.trigger}`);
    expect(await queued()).toEqual(['dns:change']);
    expect((await admin.post(`/api/v1/servers/${servers.dns.id}/resync`)).status).toBe(202);
    expect(await queued()).toEqual(['dns:resync']);
    // A change after it rides on the resync.
    await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'resync-me-too.org' });
    expect(await queued()).toEqual(['dns:resync']);
  });

  it('replays a domain creation sent twice with the same Idempotency-Key', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const headers = { 'idempotency-key': 'domain-once' };
    const first = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'once.org' }, { headers });
    const second = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'once.org' }, { headers });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
  });
});

describe('mail', () => {
  it('takes catch-alls and forwards, and refuses loops, foreign and mail-less domains', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const domain = await makeDomain(caller, organization.id);
    const catchAll = await caller.post('/api/v1/aliases', { organizationId: organization.id, address: `*@${domain.name}`, destinations: ['someone@example.net'] });
    expect(catchAll.status).toBe(201);
    expect(catchAll.body.catchAll).toBe(true);
    const a = await caller.post('/api/v1/aliases', { organizationId: organization.id, address: `a@${domain.name}`, destinations: [`b@${domain.name}`] });
    expect(a.status).toBe(201);
    const loop = await caller.post('/api/v1/aliases', { organizationId: organization.id, address: `b@${domain.name}`, destinations: [`a@${domain.name}`] });
    expect(loop.status).toBe(422);
    expect(loop.body.error.details[0]).toMatchObject({ field: 'destinations', code: 'alias_loop' });
    const self = await caller.post('/api/v1/aliases', { organizationId: organization.id, address: `c@${domain.name}`, destinations: [`c@${domain.name}`] });
    expect(self.status).toBe(422);

    const mailbox = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `a@${domain.name}`, password: 'long-enough-password', quotaMb: 100 });
    expect(mailbox.status).toBe(409);
    expect(mailbox.body.error.code).toBe('address_taken');

    await caller.patch(`/api/v1/domains/${domain.id}`, { mailEnabled: false }).then((r) => expect(r.status).toBe(409));
    const other = await makeDomain(caller, organization.id);
    await caller.patch(`/api/v1/domains/${other.id}`, { mailEnabled: false });
    const noMail = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `x@${other.name}`, password: 'long-enough-password', quotaMb: 100 });
    expect(noMail.status).toBe(422);
    expect(noMail.body.error.details[0].code).toBe('mail_not_enabled');

    const weak = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `x@${domain.name}`, password: 'short', quotaMb: 0 });
    expect(weak.status).toBe(422);
    expect(weak.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'quotaMb']);
  });
});

describe('databases', () => {
  it('name things with the organisation prefix, grant only own databases of one engine, and keep passwords as verifiers', async () => {
    const { organization, caller } = await makeHostingClient(api, admin, { name: 'Radio Libre' });
    const maria = await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: 'site' });
    const pg = await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'postgresql', name: 'site' });
    expect(maria.body.name).toBe('radiolib_site');
    expect(pg.body.name).toBe('radiolib_site');
    const dup = await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: 'site' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('database_name_taken');
    const mixed = await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'mariadb', name: 'app', databases: [pg.body.id] });
    expect(mixed.status).toBe(422);
    expect(mixed.body.error.details[0]).toMatchObject({ field: 'databases', code: 'database_not_grantable' });
    const user = await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'postgresql', name: 'app', password: 'chosen-by-the-client', databases: [pg.body.id] });
    expect(user.status).toBe(201);
    expect(user.body).not.toHaveProperty('password');
    const [row] = await api.db.query(`SELECT password_verifier FROM database_users WHERE id = $1`, [user.body.id]);
    expect(row.password_verifier).toMatch(/^SCRAM-SHA-256\$4096:/);

    for (const bad of ['1abc', 'Has-Dash', 'x'.repeat(17), 'drop table', '']) {
      const response = await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: bad });
      expect(response.status, bad).toBe(422);
      expect(response.body.error.details[0]).toMatchObject({ field: 'name', code: 'database_name_invalid' });
    }
  });

  it('tell who may log in to a database, and take a deleted database from its users, who are applied again (a change, not drift)', async () => {
    const { organization, caller } = await makeHostingClient(api, admin, { name: 'Radio Ville' });
    const shop = (await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: 'shop' })).body;
    const blog = (await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'mariadb', name: 'blog' })).body;
    const app = (await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'mariadb', name: 'app', databases: [shop.id, blog.id] })).body;
    const reader = (await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'mariadb', name: 'reader', databases: [shop.id] })).body;
    const details = await caller.get(`/api/v1/databases/${shop.id}/connection`);
    expect(details.body).toEqual({ engine: 'mariadb', host: expect.any(String), port: 3306, database: 'radiovil_shop', users: ['radiovil_app', 'radiovil_reader'] });
    // As if applied: ready at generation 1.
    await api.db.query(`UPDATE database_users SET phase = 'ready', observed_generation = generation WHERE id = ANY($1::uuid[])`, [[app.id, reader.id]]);

    expect((await caller.delete(`/api/v1/databases/${shop.id}`)).status).toBe(202);
    expect((await caller.get(`/api/v1/database-users/${app.id}`)).body).toMatchObject({ databases: [blog.id], phase: 'pending', generation: 2 });
    expect((await caller.get(`/api/v1/database-users/${reader.id}`)).body).toMatchObject({ databases: [], phase: 'pending', generation: 2 });
    expect((await caller.get(`/api/v1/databases/${blog.id}/connection`)).body.users).toEqual(['radiovil_app']);
  });

  it('store a SCRAM verifier that PostgreSQL itself accepts for the password', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const user = await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'postgresql', name: 'scram', password: 'the-client-password' });
    const [row] = await api.db.query(`SELECT name, password_verifier FROM database_users WHERE id = $1`, [user.body.id]);
    // The name passed the strict identifier pattern; identifiers cannot be bound as parameters.
    await api.db.query(`CREATE ROLE ${row.name} LOGIN PASSWORD '${row.password_verifier}'`);
    try {
      const { default: pg } = await import('pg');
      const url = new URL(api.config.databaseUrl!);
      const client = new pg.Client({ host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: row.name, password: 'the-client-password' });
      await client.connect();
      expect((await client.query('SELECT current_user AS who')).rows[0].who).toBe(row.name);
      await client.end();
      const wrong = new pg.Client({ host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: row.name, password: 'not-it' });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await api.db.query(`DROP ROLE ${row.name}`);
    }
  });
});
