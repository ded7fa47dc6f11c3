import { describe, expect, it } from 'vitest';
import type { DesiredDatabases } from './database-state.js';
import { database, deleting, desired, driftOf, pending, resourcesOf, stepsOf, user } from '../../../../../test/support/database-plans.js';
import type { PostgresCatalogue, PostgresRole } from './postgres-catalogue.js';
import { planPostgres } from './postgres-plan.js';

const VERIFIER = 'SCRAM-SHA-256$4096:GDi1iPcaRYB5EkM7PIRBjQ==$k/rMcTK7ZcwyHggTIS2BJsQhX9+2qfcl27YveciZPF0=:jUlRqY1BiBdu1r5W1y6OtkEka61fPTN4oGxQLTtCikc=';
const OTHER_VERIFIER = 'SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$k/rMcTK7ZcwyHggTIS2BJsQhX9+2qfcl27YveciZPF0=:jUlRqY1BiBdu1r5W1y6OtkEka61fPTN4oGxQLTtCikc=';

const role = (name: string, fields: Partial<PostgresRole> = {}): PostgresRole => ({
  name,
  login: true,
  superuser: false,
  createdb: false,
  createrole: false,
  replication: false,
  bypassrls: false,
  inherit: true,
  connectionLimit: -1,
  validUntil: null,
  password: VERIFIER,
  ...fields,
});
const ownerOf = (name: string) => role(`${name}-owner`, { login: false, password: null });
const ownerAcl = (name: string) => ['CREATE', 'TEMPORARY', 'CONNECT'].map((privilege) => ({ grantee: `${name}-owner`, privilege, grantable: false }));

/** The cluster exactly as Ruche leaves it for these databases and users. */
function clusterWith(want: DesiredDatabases, version = 150004): PostgresCatalogue {
  const live = want.users.filter((u) => u.state.phase !== 'deleting');
  return {
    version,
    managed: { databases: new Set(want.databases.map((d) => d.name)), users: new Set(want.users.map((u) => u.name)) },
    databases: new Map(want.databases.map((d) => [d.name, { name: d.name, owner: `${d.name}-owner`, allowConnections: true, connectionLimit: -1, acl: ownerAcl(d.name) }])),
    roles: new Map([
      ['postgres', role('postgres', { superuser: true, createdb: true, createrole: true, replication: true, bypassrls: true, password: null })],
      ...want.databases.map((d) => [`${d.name}-owner`, ownerOf(d.name)] as const),
      ...want.users.map((u) => [u.name, role(u.name)] as const),
    ]),
    memberships: live.flatMap((u) => u.databases.map((name) => ({ role: `${name}-owner`, member: u.name, admin: false }))),
    settings: live.flatMap((u) => u.databases.map((name) => ({ role: u.name, database: name, config: [`role=${name}-owner`] }))),
    dependencies: want.databases.map((d) => ({ role: `${d.name}-owner`, database: d.name })),
  };
}

const plan = (want: DesiredDatabases, cluster: PostgresCatalogue | null) => planPostgres(want, cluster, resourcesOf(want));
/** What ends the sessions of a role that lost access (CONNECT and SET ROLE are checked only at login). */
const endSessions = (where: string) => `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE ${where}`;

describe('planPostgres', () => {
  it('makes a database owned by its own role, closed to everyone else, and a user working as that role there', () => {
    const shop = database('coop_shop', pending);
    const app = user('coop_app', ['coop_shop'], VERIFIER, pending);
    const result = plan(desired([shop], [app]), clusterWith(desired([])));
    expect(stepsOf(result, shop)).toEqual([
      `INSERT INTO managed (kind, name, resource_id) VALUES ('database', 'coop_shop', '${shop.state.id}') ON CONFLICT DO NOTHING`,
      'CREATE ROLE "coop_shop-owner" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 PASSWORD NULL',
      'CREATE DATABASE "coop_shop" OWNER "coop_shop-owner"',
      'REVOKE ALL ON DATABASE "coop_shop" FROM PUBLIC',
    ]);
    expect(stepsOf(result, app)).toEqual([
      `INSERT INTO managed (kind, name, resource_id) VALUES ('user', 'coop_app', '${app.state.id}') ON CONFLICT DO NOTHING`,
      `CREATE ROLE "coop_app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity' PASSWORD '${VERIFIER}'`,
      'GRANT "coop_shop-owner" TO "coop_app"',
      `ALTER ROLE "coop_app" IN DATABASE "coop_shop" SET role = 'coop_shop-owner'`,
    ]);
    expect(result.changes.some((change) => change.drift)).toBe(false);
  });

  it('gives the public schema to the owner role on versions before 15', () => {
    const shop = database('coop_shop', pending);
    const steps = stepsOf(plan(desired([shop]), clusterWith(desired([]), 140010)), shop)!;
    expect(steps.slice(-4)).toEqual(['\\connect coop_shop', 'ALTER SCHEMA public OWNER TO "coop_shop-owner"', 'REVOKE ALL ON SCHEMA public FROM PUBLIC', '\\connect ruche']);
  });

  it('changes nothing when the cluster has exactly what is desired, whatever else it holds', () => {
    const want = desired([database('coop_shop')], [user('coop_app', ['coop_shop'], VERIFIER), user('coop_ro', [], VERIFIER)]);
    const cluster = clusterWith(want);
    cluster.databases.set('legacy', { name: 'legacy', owner: 'postgres', allowConnections: true, connectionLimit: -1, acl: null });
    cluster.roles.set('legacy', role('legacy', { superuser: true }));
    cluster.memberships.push({ role: 'pg_monitor', member: 'legacy', admin: true });
    const result = plan(want, cluster);
    expect(result.changes).toEqual([]);
    expect(result.kept).toHaveLength(3);
  });

  it('refuses to take over a database or role of the same name it did not make', () => {
    const theirs = database('coop_theirs', pending);
    const app = user('coop_app', ['coop_theirs'], VERIFIER, pending);
    const cluster = clusterWith(desired([]));
    cluster.databases.set('coop_theirs', { name: 'coop_theirs', owner: 'postgres', allowConnections: true, connectionLimit: -1, acl: null });
    cluster.roles.set('coop_app', role('coop_app'));
    const result = plan(desired([theirs], [app]), cluster);
    expect(stepsOf(result, theirs)).toEqual([{ refuse: expect.stringContaining('was not made by Ruche') }]);
    expect(stepsOf(result, app)).toEqual([{ refuse: expect.stringContaining('A user named coop_app already exists') }]);
  });

  it('puts back a password, powers or an expiry changed by hand, as drift', () => {
    const app = user('coop_app', [], VERIFIER);
    const cluster = clusterWith(desired([], [app]));
    cluster.roles.set('coop_app', role('coop_app', { superuser: true, password: OTHER_VERIFIER, validUntil: '2020-01-01T00:00:00+00:00' }));
    const result = plan(desired([], [app]), cluster);
    expect(stepsOf(result, app)).toEqual([
      `ALTER ROLE "coop_app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity' PASSWORD '${VERIFIER}'`,
    ]);
    expect(driftOf(result, app)).toBe('changed on the server by hand; put back: password changed; login, powers or expiry changed');
  });

  it('revokes access no longer desired, handing what the user made there to the owner role', () => {
    const shop = database('coop_shop');
    const blog = database('coop_blog');
    const narrowed = user('coop_app', ['coop_shop'], VERIFIER, pending);
    const cluster = clusterWith(desired([shop, blog], [user('coop_app', ['coop_shop', 'coop_blog'], VERIFIER)]));
    cluster.dependencies.push({ role: 'coop_app', database: 'coop_blog' });
    const result = plan(desired([shop, blog], [narrowed]), cluster);
    expect(stepsOf(result, narrowed)).toEqual([
      'REVOKE "coop_blog-owner" FROM "coop_app"',
      '\\connect coop_blog',
      'REASSIGN OWNED BY "coop_app" TO "coop_blog-owner"',
      'DROP OWNED BY "coop_app"',
      '\\connect ruche',
      'ALTER ROLE "coop_app" IN DATABASE "coop_blog" RESET role',
      endSessions("usename = 'coop_app'"),
    ]);
    expect(driftOf(result, narrowed)).toBeUndefined();
  });

  it('revokes what was granted by hand to a user (another database, a membership, its own role) as drift', () => {
    const shop = database('coop_shop');
    const other = database('other_data');
    const app = user('coop_app', ['coop_shop'], VERIFIER);
    const them = user('other_app', ['other_data'], VERIFIER);
    const cluster = clusterWith(desired([shop, other], [app, them]));
    cluster.databases.get('other_data')!.acl!.push({ grantee: 'coop_app', privilege: 'CONNECT', grantable: false });
    cluster.memberships.push({ role: 'other_data-owner', member: 'coop_app', admin: false }, { role: 'coop_app', member: 'other_app', admin: false });
    cluster.memberships[0]!.admin = true;
    const result = plan(desired([shop, other], [app, them]), cluster);
    expect(stepsOf(result, app)).toEqual([
      'REVOKE ADMIN OPTION FOR "coop_shop-owner" FROM "coop_app"',
      'REVOKE "other_data-owner" FROM "coop_app"',
      'REVOKE "coop_app" FROM "other_app"',
      'REVOKE ALL ON DATABASE "other_data" FROM "coop_app"',
      endSessions("usename = 'coop_app'"),
    ]);
    expect(driftOf(result, app)).toBe(
      'changed on the server by hand; put back: admin option on coop_shop-owner revoked; access to other_data revoked; other_app made a member of it; revoked; privileges on other_data revoked',
    );
    // The other organisation's database plan leaves a Ruche user's grants to that user's plan.
    expect(stepsOf(result, other)).toBeNull();
  });

  it('closes a database opened by hand to everyone or to a stranger, and gives its owner role back', () => {
    const shop = database('coop_shop');
    const cluster = clusterWith(desired([shop]));
    cluster.databases.set('coop_shop', {
      name: 'coop_shop',
      owner: 'postgres',
      allowConnections: true,
      connectionLimit: 5,
      acl: [{ grantee: '', privilege: 'CONNECT', grantable: false }, { grantee: 'we"ird', privilege: 'CONNECT', grantable: true }],
    });
    cluster.memberships.push({ role: 'coop_shop-owner', member: 'stranger', admin: false });
    const result = plan(desired([shop]), cluster);
    expect(stepsOf(result, shop)).toEqual([
      'ALTER DATABASE "coop_shop" OWNER TO "coop_shop-owner"',
      'ALTER DATABASE "coop_shop" WITH ALLOW_CONNECTIONS true CONNECTION LIMIT -1',
      'REVOKE ALL ON DATABASE "coop_shop" FROM PUBLIC',
      'REVOKE ALL ON DATABASE "coop_shop" FROM "we""ird"',
      endSessions(`usename = 'we"ird' AND datname = 'coop_shop'`),
      'GRANT ALL ON DATABASE "coop_shop" TO "coop_shop-owner"',
      'REVOKE "coop_shop-owner" FROM "stranger"',
      endSessions("usename = 'stranger' AND datname = 'coop_shop'"),
    ]);
    expect(driftOf(result, shop)).toMatch(/owner changed to postgres; connections limited; anyone could connect; privileges given to we"ird revoked; .* access given to stranger revoked/);
  });

  it('sets a user’s role back in its database when it was reset by hand', () => {
    const shop = database('coop_shop');
    const app = user('coop_app', ['coop_shop'], VERIFIER);
    const cluster = clusterWith(desired([shop], [app]));
    cluster.settings = [];
    const result = plan(desired([shop], [app]), cluster);
    expect(stepsOf(result, app)).toEqual([`ALTER ROLE "coop_app" IN DATABASE "coop_shop" SET role = 'coop_shop-owner'`]);
    expect(driftOf(result, app)).toMatch(/its role in coop_shop set back/);
  });

  it('fills a database made from an archive after making it', () => {
    const restored = database('coop_shop', pending, { archiveId: 'a1', path: '/var/backups/ruche/postgresql/coop_shop-x.dump' });
    const steps = stepsOf(plan(desired([restored]), clusterWith(desired([]))), restored)!;
    expect(steps.at(-1)).toEqual({ restore: { database: 'coop_shop', archiveId: 'a1', path: '/var/backups/ruche/postgresql/coop_shop-x.dump' } });
  });

  it('drops a user after handing over what it owns, then dumps and drops a database and its owner role', () => {
    const doomed = database('coop_old', deleting);
    const gone = user('coop_was', [], VERIFIER, deleting);
    const cluster = clusterWith(desired([doomed], [gone]));
    cluster.dependencies.push({ role: 'coop_was', database: 'coop_old' });
    const result = plan(desired([doomed], [gone]), cluster);
    expect(result.changes.map((change) => change.resource.label)).toEqual(['coop_was', 'coop_old']);
    expect(stepsOf(result, gone)).toEqual([
      'ALTER ROLE "coop_was" NOLOGIN',
      endSessions("usename = 'coop_was'"),
      '\\connect coop_old',
      'REASSIGN OWNED BY "coop_was" TO "coop_old-owner"',
      'DROP OWNED BY "coop_was"',
      '\\connect ruche',
      'DROP OWNED BY "coop_was"',
      'DROP ROLE "coop_was"',
      "DELETE FROM managed WHERE kind = 'user' AND name = 'coop_was'",
    ]);
    expect(stepsOf(result, doomed)).toEqual([
      { archive: { database: 'coop_old', path: `/var/backups/ruche/postgresql/coop_old-${doomed.state.id}.dump` } },
      'DROP DATABASE "coop_old" WITH (FORCE)',
      'DROP OWNED BY "coop_old-owner"',
      'DROP ROLE "coop_old-owner"',
      "DELETE FROM managed WHERE kind = 'database' AND name = 'coop_old'",
    ]);
  });

  it('leaves a database it did not make when its row is deleted', () => {
    const foreign = database('coop_foreign', deleting);
    const cluster = clusterWith(desired([]));
    cluster.databases.set('coop_foreign', { name: 'coop_foreign', owner: 'postgres', allowConnections: true, connectionLimit: -1, acl: null });
    const result = plan(desired([foreign]), cluster);
    expect(result).toEqual({ changes: [], kept: [foreign.state] });
  });
});
