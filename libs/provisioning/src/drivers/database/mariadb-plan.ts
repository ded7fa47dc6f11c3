import { DATABASE_FULL_NAME, type DesiredDatabaseUser, type ResourceState } from '@ruche/hosting';
import type { StatePlan } from '../driver.js';
import { archivePath, BOOKKEEPING, planDatabases, sql, type Changes, type DatabaseStep, type DesiredDatabases } from './database-state.js';
import type { MariadbAccount, MariadbCatalogue } from './mariadb-catalogue.js';
import { mariadbAccount, mariadbAnyAccount, mariadbGrantPattern, mariadbGrantTarget, mariadbIdentifier, mariadbPasswordHash, mariadbString } from './sql-identifiers.js';

const ANY_HOST = '%';
const ACCOUNT_DEFAULTS =
  'REQUIRE NONE WITH MAX_QUERIES_PER_HOUR 0 MAX_UPDATES_PER_HOUR 0 MAX_CONNECTIONS_PER_HOUR 0 MAX_USER_CONNECTIONS 0 MAX_STATEMENT_TIME 0 ACCOUNT UNLOCK';

/** The Ruche database an exact grant pattern (`coop\_wp`) names, or null for a wildcard or another name. */
function exactDatabase(pattern: string): string | null {
  const name = pattern.replaceAll('\\_', '_');
  return DATABASE_FULL_NAME.test(name) && name.length <= 32 && mariadbGrantPattern(name) === pattern ? name : null;
}

/** A grant on a database as the catalogue stores its pattern: exact (escaped) or the plain name, which MariaDB reads as a pattern. */
function grantTarget(pattern: string, name: string): string {
  return pattern === name ? `${mariadbIdentifier(name)}.*` : mariadbGrantTarget(name);
}

const marker = (kind: 'database' | 'user', name: string, id: string) =>
  `INSERT IGNORE INTO \`${BOOKKEEPING}\`.managed (kind, name, resource_id) VALUES ('${kind}', ${mariadbString(name)}, ${mariadbString(id)})`;
const unmark = (kind: 'database' | 'user', name: string) => `DELETE FROM \`${BOOKKEEPING}\`.managed WHERE kind = '${kind}' AND name = ${mariadbString(name)}`;
const grantAll = (database: string, account: string) => `GRANT ALL PRIVILEGES ON ${mariadbGrantTarget(database)} TO ${account}`;

/**
 * A session keeps the database privileges it started with (MariaDB reads them at USE), so a
 * revoke or a drop ends the user's sessions (on `database` only, for an account Ruche did not
 * make); one that ended meanwhile is no error.
 */
function endSessions(user: string, database?: string): string {
  const where = `USER = ${mariadbString(user, 128)}${database ? ` AND DB = ${mariadbString(database)}` : ''}`;
  return `BEGIN DECLARE CONTINUE HANDLER FOR 1094 BEGIN END; FOR s IN (SELECT ID FROM information_schema.PROCESSLIST WHERE ${where}) DO KILL CONNECTION s.ID; END FOR; END`;
}

/**
 * What MariaDB must run to have exactly the desired databases and users (pure). Ruche's users
 * are `'<name>'@'%'` with the stored mysql_native_password hash and ALL PRIVILEGES on each
 * granted database, nothing else; nobody else has privileges on Ruche's databases.
 */
export function planMariadb(desired: DesiredDatabases, observed: MariadbCatalogue | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep> {
  if (!observed) return planDatabases(desired, null, resources);
  const account = (name: string) => observed.accounts.find((candidate) => candidate.user === name && candidate.host === ANY_HOST);
  // Accounts whose grants their own user's plan puts right; the databases' plans see to everyone else's.
  const planned = new Set(desired.users.filter((user) => observed.managed.users.has(user.name)).map((user) => user.name));
  const othersOn = (name: string) =>
    observed.grants.filter((grant) => (grant.pattern === name || grant.pattern === mariadbGrantPattern(name)) && !(grant.host === ANY_HOST && planned.has(grant.user)));
  const revokeOthers = (name: string) =>
    othersOn(name).flatMap((grant) => {
      const target = grantTarget(grant.pattern, name);
      const grantee = mariadbAnyAccount(grant.user, grant.host);
      return [`REVOKE ALL PRIVILEGES ON ${target} FROM ${grantee}`, ...(grant.grantable ? [`REVOKE GRANT OPTION ON ${target} FROM ${grantee}`] : [])];
    });

  return planDatabases(
    desired,
    {
      hasDatabase: (name) => observed.databases.has(name),
      hasUser: (name) => account(name) !== undefined,
      managed: observed.managed,
      database({ name, state, restoreFrom }) {
        const changes: Changes = { steps: [], edits: [] };
        if (!observed.databases.has(name)) {
          changes.steps.push(...sql(...(observed.managed.databases.has(name) ? [] : [marker('database', name, state.id)]), `CREATE DATABASE ${mariadbIdentifier(name)}`));
          changes.edits.push('the database was dropped; made again, empty');
        }
        const others = othersOn(name);
        if (others.length > 0) {
          changes.steps.push(...sql(...revokeOthers(name), ...[...new Set(others.map((grant) => grant.user))].map((user) => endSessions(user, name))));
          changes.edits.push(...others.map((grant) => `access given to ${grant.user}@${grant.host} revoked`));
        }
        if (restoreFrom) changes.steps.push({ restore: { database: name, archiveId: restoreFrom.archiveId, path: restoreFrom.path } });
        return changes;
      },
      user(user, databases) {
        const found = account(user.name);
        return found ? userChanges(user, databases, found, observed) : newUser(user, databases, observed);
      },
      leavingUser: (user) => sql(...(account(user.name) ? [`DROP USER ${mariadbAccount(user.name)}`, endSessions(user.name)] : []), unmark('user', user.name)),
      leavingDatabase({ name, state }) {
        const present = observed.databases.has(name);
        return [
          ...(present ? [{ archive: { database: name, path: archivePath(desired.archiveDir, 'mariadb', name, state.id) } }] : []),
          // Grants outlive a dropped database in MariaDB: none may wait for the next one of that name.
          ...sql(...revokeOthers(name), ...(present ? [`DROP DATABASE ${mariadbIdentifier(name)}`] : []), unmark('database', name)),
        ];
      },
    },
    resources,
  );
}

function newUser(user: DesiredDatabaseUser, databases: string[], observed: MariadbCatalogue): Changes {
  const account = mariadbAccount(user.name);
  const steps = sql(
    ...(observed.managed.users.has(user.name) ? [] : [marker('user', user.name, user.state.id)]),
    `CREATE USER ${account} IDENTIFIED VIA mysql_native_password USING ${mariadbPasswordHash(user.passwordVerifier)}`,
    ...databases.map((database) => grantAll(database, account)),
  );
  return { steps, edits: ['the user was dropped; made again'] };
}

/** An existing Ruche account: its password and settings, and exactly its grants. */
function userChanges(user: DesiredDatabaseUser, databases: string[], found: MariadbAccount, observed: MariadbCatalogue): Changes {
  const account = mariadbAccount(user.name);
  const statements: string[] = [];
  const edits: string[] = [];
  const passwordChanged = found.plugin !== 'mysql_native_password' || found.hash !== user.passwordVerifier || found.otherAuthentication;
  const settingsChanged = found.expired || found.locked || found.limits || found.ssl;
  if (passwordChanged || settingsChanged) {
    statements.push(`ALTER USER ${account} IDENTIFIED VIA mysql_native_password USING ${mariadbPasswordHash(user.passwordVerifier)} ${ACCOUNT_DEFAULTS}`);
    if (passwordChanged) edits.push('password or way of logging in changed');
    if (settingsChanged) edits.push('account locked, expired or limited');
  }

  const belongs = (entry: { user: string; host: string }) => entry.user === user.name && entry.host === ANY_HOST;
  const grants = observed.grants.filter(belongs);
  // Anything but whole-database grants (global privileges, table or routine grants, roles, a
  // wildcard database pattern): everything is revoked and the desired grants given again.
  const oddities = [
    ...(found.global ? ['global privileges'] : []),
    ...(observed.finerGrants.some(belongs) ? ['table or routine privileges'] : []),
    ...observed.roles.filter(belongs).map((entry) => `role ${entry.role}`),
    ...(found.defaultRole ? [`default role ${found.defaultRole}`] : []),
    ...grants.filter((grant) => exactDatabase(grant.pattern) === null).map((grant) => `privileges on ${grant.pattern}`),
  ];
  if (oddities.length > 0) {
    statements.push(
      ...(found.defaultRole ? [`SET DEFAULT ROLE NONE FOR ${account}`] : []),
      `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${account}`,
      ...databases.map((database) => grantAll(database, account)),
    );
    edits.push(...oddities.map((oddity) => `${oddity} revoked`));
    return { steps: sql(...statements, endSessions(user.name)), edits };
  }

  for (const grant of grants) {
    const database = exactDatabase(grant.pattern)!;
    const target = mariadbGrantTarget(database);
    if (!databases.includes(database)) {
      statements.push(`REVOKE ALL PRIVILEGES ON ${target} FROM ${account}`);
      edits.push(`access to ${database} revoked`);
    } else if (grant.privileges < observed.fullPrivileges) {
      statements.push(grantAll(database, account));
      edits.push(`privileges on ${database} given back`);
    }
    if (grant.grantable) {
      statements.push(`REVOKE GRANT OPTION ON ${target} FROM ${account}`);
      if (databases.includes(database)) edits.push(`grant option on ${database} revoked`);
    }
  }
  for (const database of databases.filter((wanted) => !grants.some((grant) => exactDatabase(grant.pattern) === wanted))) {
    statements.push(grantAll(database, account));
    edits.push(`access to ${database} given back`);
  }
  if (statements.some((statement) => statement.startsWith('REVOKE'))) statements.push(endSessions(user.name));
  return { steps: sql(...statements), edits };
}
