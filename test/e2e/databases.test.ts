import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageMeter } from '@ruche/provisioning';
import { makeHostingClient } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { asAdministrator, connect, ENGINES, liveDatabase, liveUser, phaseOf, REFUSED, refusal, session, type Engine } from '../support/databases.js';

/**
 * Clients' databases on a real Debian server running MariaDB and PostgreSQL: made through the
 * API, reconciled over SSH, and checked the way a client program sees them, logging in over
 * the network through the engines' ports. Each test makes what it looks at.
 */
let fleet: FleetHarness;
let a: Awaited<ReturnType<typeof makeHostingClient>>;
let b: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['mariadb', 'postgresql'] });
  a = await makeHostingClient(fleet.api, fleet.admin, { name: 'Radio Centre-Ville' });
  b = await makeHostingClient(fleet.api, fleet.admin, { name: 'Café Solidaire' });
  for (const organization of [a.organization, b.organization]) {
    expect((await fleet.admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { databases: 50 })).status).toBeLessThan(300);
  }
});
afterAll(() => fleet?.close());

const events = async (id: string) => (await fleet.admin.get(`/api/v1/resource-events?resourceId=${id}`)).body.data as Array<{ kind: string; message: string | null }>;

describe.each(ENGINES)('%s', (engine: Engine) => {
  it('a user logs in over the network to its database and makes a table; another organisation’s database, a wrong password and the administrator are refused', async () => {
    const shop = await liveDatabase(a.caller, a.organization.id, engine, 'shop');
    const app = await liveUser(a.caller, a.organization.id, engine, [shop.id], 'app');
    const login = { user: app.name, password: app.password, database: shop.name };
    await session(fleet.server, engine, login, async (sql) => {
      await sql('CREATE TABLE notes (id integer PRIMARY KEY, body text)');
      await sql("INSERT INTO notes VALUES (1, 'bonjour'), (2, 'salut')");
    });
    expect(await session(fleet.server, engine, login, (sql) => sql('SELECT body FROM notes ORDER BY id'))).toEqual([{ body: 'bonjour' }, { body: 'salut' }]);

    const theirs = await liveDatabase(b.caller, b.organization.id, engine, 'private');
    expect(await refusal(fleet.server, engine, { ...login, database: theirs.name })).toBe(REFUSED[engine].database);
    expect(await refusal(fleet.server, engine, { ...login, password: 'not-the-password-1' })).toBe(REFUSED[engine].password);
    const administrator = engine === 'mariadb' ? 'root' : 'postgres';
    expect(await refusal(fleet.server, engine, { user: administrator, password: '', database: shop.name })).not.toBeNull();

    // How to connect, as the API tells it.
    const details = await a.caller.get(`/api/v1/databases/${shop.id}/connection`);
    expect(details.body).toEqual({ engine, host: 'mail.coop.example', port: engine === 'mariadb' ? 3306 : 5432, database: shop.name, users: [app.name] });
    expect((await b.caller.get(`/api/v1/databases/${shop.id}/connection`)).status).toBe(404);

    // What it takes is measured for the database_storage_mb meter.
    const measured = await fleet.worker!.get(StorageMeter).measureAll();
    expect(measured.failures).toEqual([]);
    expect((await a.caller.get(`/api/v1/databases/${shop.id}`)).body.storageBytes).toBeGreaterThan(0);
  });

  it('two users granted one database share what each makes, and a revoked grant is gone', async () => {
    const shared = await liveDatabase(a.caller, a.organization.id, engine);
    const first = await liveUser(a.caller, a.organization.id, engine, [shared.id]);
    const second = await liveUser(a.caller, a.organization.id, engine, [shared.id]);
    await session(fleet.server, engine, { user: first.name, password: first.password, database: shared.name }, (sql) => sql('CREATE TABLE made_by_first (x integer)'));
    await session(fleet.server, engine, { user: second.name, password: second.password, database: shared.name }, (sql) => sql('INSERT INTO made_by_first VALUES (7)'));

    // A session open when the grant goes loses it too (engines check privileges at login).
    const open = await connect(fleet.server, engine, { user: second.name, password: second.password, database: shared.name });
    try {
      expect((await a.caller.patch(`/api/v1/database-users/${second.id}`, { databases: [] })).status).toBe(200);
      await phaseOf(a.caller, `/api/v1/database-users/${second.id}`, 'ready');
      await expect(open.sql('SELECT x FROM made_by_first')).rejects.toThrow();
    } finally {
      await open.end();
    }
    expect(await refusal(fleet.server, engine, { user: second.name, password: second.password, database: shared.name })).toBe(REFUSED[engine].database);
    expect(await session(fleet.server, engine, { user: first.name, password: first.password, database: shared.name }, (sql) => sql('SELECT x FROM made_by_first'))).toEqual([{ x: 7 }]);
    // Asked for: no drift.
    expect((await events(second.id)).some((event) => event.kind === 'drift')).toBe(false);
  });

  it('removes a grant added by hand at the next resync, and records the drift', async () => {
    const mine = await liveDatabase(a.caller, a.organization.id, engine);
    const app = await liveUser(a.caller, a.organization.id, engine, [mine.id]);
    const theirs = await liveDatabase(b.caller, b.organization.id, engine);
    const intrusion = { user: app.name, password: app.password, database: theirs.name };
    await asAdministrator(
      fleet.server,
      engine,
      engine === 'mariadb' ? `GRANT ALL PRIVILEGES ON \`${theirs.name}\`.* TO '${app.name}'@'%';` : `GRANT "${theirs.name}-owner" TO "${app.name}";`,
    );
    const intruder = await connect(fleet.server, engine, intrusion);
    try {
      await intruder.sql('CREATE TABLE planted (x integer)');
      expect((await fleet.admin.post(`/api/v1/servers/${fleet.serverId}/resync`)).status).toBe(202);
      const drift = await eventually(async () => (await events(app.id)).find((event) => event.kind === 'drift'), 30_000, 'a drift event');
      expect(drift.message).toMatch(new RegExp(`by hand.*${theirs.name}`));
      // The session the hand grant let in is ended with it.
      await expect(intruder.sql('SELECT x FROM planted')).rejects.toThrow();
    } finally {
      await intruder.end();
    }
    expect(await refusal(fleet.server, engine, intrusion)).toBe(REFUSED[engine].database);
    expect(await refusal(fleet.server, engine, { ...intrusion, database: mine.name })).toBeNull();
    expect((await a.caller.get(`/api/v1/database-users/${app.id}`)).body.phase).toBe('ready');
  });

  it('leaves a database it did not make alone: refuses to take it over, and never drops it', async () => {
    const [{ prefix }] = await fleet.api.db.query(`SELECT prefix FROM organization_hosting WHERE organization_id = $1`, [a.organization.id]);
    const legacy = `${prefix}_legacy${engine === 'mariadb' ? 'm' : 'p'}`;
    await asAdministrator(fleet.server, engine, `CREATE DATABASE ${legacy};`);
    await asAdministrator(fleet.server, engine, engine === 'mariadb' ? `CREATE TABLE ${legacy}.kept (x integer);` : `\\connect ${legacy}\nCREATE TABLE kept (x integer);`);
    const created = await a.caller.post('/api/v1/databases', { organizationId: a.organization.id, engine, name: legacy.slice(prefix.length + 1) });
    expect(created.status).toBe(201);
    const failed = await phaseOf(a.caller, `/api/v1/databases/${created.body.id}`, 'failed');
    expect(failed.lastError).toMatch(/already exists on the server and was not made by Ruche/);

    expect((await a.caller.delete(`/api/v1/databases/${created.body.id}`)).status).toBe(202);
    await eventually(async () => (await a.caller.get(`/api/v1/databases/${created.body.id}`)).status === 404, 30_000, 'the row to go');
    const still = engine === 'mariadb'
      ? await fleet.server.exec(['mariadb', '--batch', '--skip-column-names', '-e', `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${legacy}'`])
      : await fleet.server.exec(['psql', '-X', '-At', '-d', legacy, '-c', 'SELECT COUNT(*) FROM kept'], { user: 'postgres' });
    expect(still).toMatchObject({ exitCode: 0, stdout: engine === 'mariadb' ? '1\n' : '0\n' });
    expect((await a.caller.get(`/api/v1/archives?organizationId=${a.organization.id}`)).body.data.map((archive: { name: string }) => archive.name)).not.toContain(legacy);
  });

  it('archives a deleted database, and restoring the archive brings its rows back', async () => {
    const journal = await liveDatabase(a.caller, a.organization.id, engine, `journal${engine === 'mariadb' ? 'm' : 'p'}`);
    const app = await liveUser(a.caller, a.organization.id, engine, [journal.id]);
    await session(fleet.server, engine, { user: app.name, password: app.password, database: journal.name }, async (sql) => {
      await sql('CREATE TABLE entries (id integer PRIMARY KEY, title text)');
      await sql("INSERT INTO entries VALUES (1, 'première'), (2, 'deuxième')");
    });

    expect((await a.caller.delete(`/api/v1/databases/${journal.id}`)).status).toBe(202);
    await eventually(async () => (await a.caller.get(`/api/v1/databases/${journal.id}`)).status === 404, 60_000, 'the database to go');
    const archives = (await a.caller.get(`/api/v1/archives?organizationId=${a.organization.id}&kind=database`)).body.data as Array<Record<string, any>>;
    const archive = archives.find((candidate) => candidate.name === journal.name)!;
    expect(archive).toMatchObject({ kind: 'database', service: engine, status: 'ready', sizeBytes: expect.any(Number) });
    expect(archive.sizeBytes).toBeGreaterThan(0);
    expect((await b.caller.get('/api/v1/archives')).body.data.map((other: { id: string }) => other.id)).not.toContain(archive.id);
    // The user lost the database with it, as asked: no drift.
    await phaseOf(a.caller, `/api/v1/database-users/${app.id}`, 'ready');
    expect((await events(app.id)).some((event) => event.kind === 'drift')).toBe(false);

    const restored = await fleet.admin.post(`/api/v1/archives/${archive.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(202);
    const again = await phaseOf(a.caller, `/api/v1/databases/${restored.body.resourceId}`, 'ready', 60_000);
    expect(again.name).toBe(journal.name);
    const listed = (await a.caller.get(`/api/v1/archives?organizationId=${a.organization.id}&kind=database`)).body.data.find((candidate: { id: string }) => candidate.id === archive.id);
    expect(listed).toMatchObject({ status: 'restored', restoredAs: again.id });

    expect((await a.caller.patch(`/api/v1/database-users/${app.id}`, { databases: [again.id] })).status).toBe(200);
    await phaseOf(a.caller, `/api/v1/database-users/${app.id}`, 'ready');
    const rows = await session(fleet.server, engine, { user: app.name, password: app.password, database: journal.name }, (sql) => sql('SELECT id, title FROM entries ORDER BY id'));
    expect(rows).toEqual([
      { id: 1, title: 'première' },
      { id: 2, title: 'deuxième' },
    ]);
  });
});
