import { describe, expect, it } from 'vitest';
import type { DesiredDatabases } from './database-state.js';
import { database, deleting, desired, driftOf, pending, resourcesOf, stepsOf, user } from '../../../../../test/support/database-plans.js';
import type { MariadbAccount, MariadbCatalogue } from './mariadb-catalogue.js';
import { planMariadb } from './mariadb-plan.js';

const HASH = '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';
const OTHER_HASH = '*0000000000000000000000000000000000000000';

const account = (user: string, fields: Partial<MariadbAccount> = {}): MariadbAccount => ({
  user,
  host: '%',
  plugin: 'mysql_native_password',
  hash: HASH,
  expired: false,
  locked: false,
  limits: false,
  ssl: false,
  global: false,
  otherAuthentication: false,
  defaultRole: '',
  ...fields,
});

/** The engine exactly as Ruche leaves it for these databases and users (each user granted what it lists). */
function engineWith(want: DesiredDatabases, extra: Partial<MariadbCatalogue> = {}): MariadbCatalogue {
  const live = want.users.filter((u) => u.state.phase !== 'deleting');
  return {
    fullPrivileges: 19,
    managed: { databases: new Set(want.databases.map((d) => d.name)), users: new Set(want.users.map((u) => u.name)) },
    databases: new Set(want.databases.map((d) => d.name)),
    accounts: [account('root', { host: 'localhost', global: true, otherAuthentication: true }), ...want.users.map((u) => account(u.name))],
    grants: live.flatMap((u) => u.databases.map((name) => ({ pattern: name.replaceAll('_', '\\_'), user: u.name, host: '%', privileges: 19, grantable: false }))),
    finerGrants: [{ user: 'mariadb.sys', host: 'localhost' }],
    roles: [],
    ...extra,
  };
}

const plan = (want: DesiredDatabases, engine: MariadbCatalogue | null) => planMariadb(want, engine, resourcesOf(want));
/** What ends the sessions of a user who lost access (they keep the privileges they started with). */
const endSessions = (where: string) =>
  `BEGIN DECLARE CONTINUE HANDLER FOR 1094 BEGIN END; FOR s IN (SELECT ID FROM information_schema.PROCESSLIST WHERE ${where}) DO KILL CONNECTION s.ID; END FOR; END`;

describe('planMariadb', () => {
  it('makes a new database and its user: bookkeeping first, the exact database granted (its _ escaped)', () => {
    const shop = database('coop_shop', pending);
    const app = user('coop_app', ['coop_shop'], HASH, pending);
    const want = desired([shop], [app]);
    const result = plan(want, engineWith(desired([])));
    expect(stepsOf(result, shop)).toEqual([
      `INSERT IGNORE INTO \`ruche\`.managed (kind, name, resource_id) VALUES ('database', 'coop_shop', '${shop.state.id}')`,
      'CREATE DATABASE `coop_shop`',
    ]);
    expect(stepsOf(result, app)).toEqual([
      `INSERT IGNORE INTO \`ruche\`.managed (kind, name, resource_id) VALUES ('user', 'coop_app', '${app.state.id}')`,
      `CREATE USER 'coop_app'@'%' IDENTIFIED VIA mysql_native_password USING '${HASH}'`,
      "GRANT ALL PRIVILEGES ON `coop\\_shop`.* TO 'coop_app'@'%'",
    ]);
    // Databases before the users granted them.
    expect(result.changes.map((change) => change.resource.id)).toEqual([shop.state.id, app.state.id]);
    expect(result.changes.some((change) => change.drift)).toBe(false);
  });

  it('changes nothing when the engine has exactly what is desired, whatever else it holds', () => {
    const want = desired([database('coop_shop')], [user('coop_app', ['coop_shop'], HASH)]);
    const engine = engineWith(want);
    engine.databases.add('legacy_app');
    engine.accounts.push(account('legacy', { host: 'localhost' }));
    engine.grants.push({ pattern: 'legacy\\_app', user: 'legacy', host: 'localhost', privileges: 19, grantable: true });
    const result = plan(want, engine);
    expect(result.changes).toEqual([]);
    expect(result.kept).toHaveLength(2);
  });

  it('takes what is desired as done where no engine can be reached (the embedded default’s folder server)', () => {
    const want = desired([database('coop_shop', pending), database('coop_old', { phase: 'deleting' })], [user('coop_app', ['coop_shop'], HASH, pending)]);
    expect(plan(want, null)).toEqual({ changes: [], kept: resourcesOf(want) });
  });

  it('refuses to take over a database or user of the same name it did not make, and grants nothing on it', () => {
    const theirs = database('coop_theirs', pending);
    const mine = database('coop_mine', pending);
    const app = user('coop_app', ['coop_theirs', 'coop_mine'], HASH, pending);
    const intruder = user('coop_admin', [], HASH, pending);
    const engine = engineWith(desired([]));
    engine.databases.add('coop_theirs');
    engine.accounts.push(account('coop_admin'));
    const result = plan(desired([theirs, mine], [app, intruder]), engine);
    expect(stepsOf(result, theirs)).toEqual([{ refuse: expect.stringContaining('already exists on the server and was not made by Ruche') }]);
    expect(stepsOf(result, intruder)).toEqual([{ refuse: expect.stringContaining('A user named coop_admin already exists') }]);
    const appSteps = stepsOf(result, app)!;
    expect(appSteps).toContain("GRANT ALL PRIVILEGES ON `coop\\_mine`.* TO 'coop_app'@'%'");
    expect(appSteps.join('\n')).not.toContain('theirs`.*');
    expect(appSteps.at(-1)).toEqual({ refuse: expect.stringContaining('Not granted coop_theirs') });
  });

  it('applies a new password asked for, and puts back one changed by hand, as drift', () => {
    const asked = user('coop_app', [], OTHER_HASH, pending);
    const alter = `ALTER USER 'coop_app'@'%' IDENTIFIED VIA mysql_native_password USING '${OTHER_HASH}' REQUIRE NONE WITH MAX_QUERIES_PER_HOUR 0 MAX_UPDATES_PER_HOUR 0 MAX_CONNECTIONS_PER_HOUR 0 MAX_USER_CONNECTIONS 0 MAX_STATEMENT_TIME 0 ACCOUNT UNLOCK`;
    const result = plan(desired([], [asked]), engineWith(desired([], [user('coop_app', [], HASH)])));
    expect(stepsOf(result, asked)).toEqual([alter]);
    expect(driftOf(result, asked)).toBeUndefined();

    const settledUser = user('coop_app', [], OTHER_HASH);
    const byHand = plan(desired([], [settledUser]), engineWith(desired([], [user('coop_app', [], HASH)]), {}));
    expect(stepsOf(byHand, settledUser)).toEqual([alter]);
    expect(driftOf(byHand, settledUser)).toMatch(/by hand.*password/);
  });

  it('puts back an account locked or limited by hand', () => {
    const app = user('coop_app', [], HASH);
    const engine = engineWith(desired([], [app]));
    engine.accounts[1] = account('coop_app', { locked: true });
    const result = plan(desired([], [app]), engine);
    expect(stepsOf(result, app)![0]).toMatch(/^ALTER USER 'coop_app'@'%' .* ACCOUNT UNLOCK$/);
    expect(driftOf(result, app)).toMatch(/account locked, expired or limited/);
  });

  it('revokes a grant no longer desired, and one added by hand (drift)', () => {
    const shop = database('coop_shop');
    const blog = database('coop_blog');
    const narrowed = user('coop_app', ['coop_shop'], HASH, pending);
    const engine = engineWith(desired([shop, blog], [user('coop_app', ['coop_shop', 'coop_blog'], HASH)]));
    const asked = plan(desired([shop, blog], [narrowed]), engine);
    expect(stepsOf(asked, narrowed)).toEqual(["REVOKE ALL PRIVILEGES ON `coop\\_blog`.* FROM 'coop_app'@'%'", endSessions("USER = 'coop_app'")]);
    expect(driftOf(asked, narrowed)).toBeUndefined();

    const settledUser = user('coop_app', ['coop_shop'], HASH);
    const byHand = plan(desired([shop, blog], [settledUser]), engine);
    expect(stepsOf(byHand, settledUser)).toEqual(["REVOKE ALL PRIVILEGES ON `coop\\_blog`.* FROM 'coop_app'@'%'", endSessions("USER = 'coop_app'")]);
    expect(driftOf(byHand, settledUser)).toBe('changed on the server by hand; put back: access to coop_blog revoked');
  });

  it('gives back privileges taken by hand, and takes back a grant option', () => {
    const shop = database('coop_shop');
    const app = user('coop_app', ['coop_shop'], HASH);
    const engine = engineWith(desired([shop], [app]));
    engine.grants[0] = { ...engine.grants[0]!, privileges: 3, grantable: true };
    const result = plan(desired([shop], [app]), engine);
    expect(stepsOf(result, app)).toEqual([
      "GRANT ALL PRIVILEGES ON `coop\\_shop`.* TO 'coop_app'@'%'",
      "REVOKE GRANT OPTION ON `coop\\_shop`.* FROM 'coop_app'@'%'",
      endSessions("USER = 'coop_app'"),
    ]);
    expect(driftOf(result, app)).toMatch(/privileges on coop_shop given back; grant option on coop_shop revoked/);
  });

  it('revokes everything and grants again when a user was given more than databases (global, table, role, wildcard)', () => {
    const shop = database('coop_shop');
    const app = user('coop_app', ['coop_shop'], HASH);
    const engine = engineWith(desired([shop], [app]));
    engine.accounts[1] = account('coop_app', { global: true, defaultRole: 'snoop' });
    engine.roles.push({ user: 'coop_app', host: '%', role: 'snoop' });
    engine.finerGrants.push({ user: 'coop_app', host: '%' });
    engine.grants.push({ pattern: 'coop%', user: 'coop_app', host: '%', privileges: 19, grantable: false });
    const result = plan(desired([shop], [app]), engine);
    expect(stepsOf(result, app)).toEqual([
      "SET DEFAULT ROLE NONE FOR 'coop_app'@'%'",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'coop_app'@'%'",
      "GRANT ALL PRIVILEGES ON `coop\\_shop`.* TO 'coop_app'@'%'",
      endSessions("USER = 'coop_app'"),
    ]);
    expect(driftOf(result, app)).toMatch(/global privileges revoked; table or routine privileges revoked; role snoop revoked; default role snoop revoked; privileges on coop% revoked/);
  });

  it('revokes access to a Ruche database given by hand to an account it does not know, as drift of the database', () => {
    const shop = database('coop_shop');
    const engine = engineWith(desired([shop]));
    engine.grants.push({ pattern: 'coop_shop', user: "o'neil", host: 'localhost', privileges: 19, grantable: true });
    const result = plan(desired([shop]), engine);
    expect(stepsOf(result, shop)).toEqual([
      "REVOKE ALL PRIVILEGES ON `coop_shop`.* FROM 'o\\'neil'@'localhost'",
      "REVOKE GRANT OPTION ON `coop_shop`.* FROM 'o\\'neil'@'localhost'",
      endSessions("USER = 'o\\'neil' AND DB = 'coop_shop'"),
    ]);
    expect(driftOf(result, shop)).toMatch(/access given to o'neil@localhost revoked/);
  });

  it('makes a database dropped by hand again, and says so', () => {
    const shop = database('coop_shop');
    const engine = engineWith(desired([shop]));
    engine.databases.delete('coop_shop');
    const result = plan(desired([shop]), engine);
    expect(stepsOf(result, shop)).toEqual(['CREATE DATABASE `coop_shop`']);
    expect(driftOf(result, shop)).toMatch(/dropped; made again, empty/);
  });

  it('fills a database made from an archive after making it', () => {
    const restored = database('coop_shop', pending, { archiveId: 'a1', path: '/var/backups/ruche/mariadb/coop_shop-x.sql.gz' });
    const result = plan(desired([restored]), engineWith(desired([])));
    expect(stepsOf(result, restored)).toEqual([
      expect.stringMatching(/^INSERT IGNORE INTO/),
      'CREATE DATABASE `coop_shop`',
      { restore: { database: 'coop_shop', archiveId: 'a1', path: '/var/backups/ruche/mariadb/coop_shop-x.sql.gz' } },
    ]);
  });

  it('drops users, then dumps and drops databases, last, and only what Ruche made', () => {
    const doomed = database('coop_old', { phase: 'deleting', generation: 2 });
    const gone = user('coop_was', [], HASH, deleting);
    const foreign = database('coop_foreign', { phase: 'deleting', generation: 2 });
    const app = user('coop_app', [], HASH, pending);
    const engine = engineWith(desired([doomed], [gone]));
    engine.databases.add('coop_foreign');
    engine.grants.push({ pattern: 'coop\\_old', user: 'backup', host: 'localhost', privileges: 19, grantable: false });
    const result = plan(desired([doomed, foreign], [app, gone]), engine);
    expect(result.changes.map((change) => change.resource.label)).toEqual(['coop_app', 'coop_was', 'coop_old']);
    expect(stepsOf(result, gone)).toEqual(["DROP USER 'coop_was'@'%'", endSessions("USER = 'coop_was'"), "DELETE FROM `ruche`.managed WHERE kind = 'user' AND name = 'coop_was'"]);
    expect(stepsOf(result, doomed)).toEqual([
      { archive: { database: 'coop_old', path: `/var/backups/ruche/mariadb/coop_old-${doomed.state.id}.sql.gz` } },
      "REVOKE ALL PRIVILEGES ON `coop\\_old`.* FROM 'backup'@'localhost'",
      'DROP DATABASE `coop_old`',
      "DELETE FROM `ruche`.managed WHERE kind = 'database' AND name = 'coop_old'",
    ]);
    // Not Ruche's: its row goes, the database stays.
    expect(result.kept.map((resource) => resource.label)).toEqual(['coop_foreign']);
  });

  it('only clears its bookkeeping for what is already gone', () => {
    const doomed = database('coop_old', { phase: 'deleting', generation: 2 });
    const engine = engineWith(desired([doomed]));
    engine.databases.delete('coop_old');
    expect(stepsOf(plan(desired([doomed]), engine), doomed)).toEqual(["DELETE FROM `ruche`.managed WHERE kind = 'database' AND name = 'coop_old'"]);
  });
});
