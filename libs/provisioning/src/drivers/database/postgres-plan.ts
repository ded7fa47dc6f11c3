import type { ResourceState } from '@ruche/hosting';
import type { StatePlan } from '../driver.js';
import { archivePath, BOOKKEEPING, planDatabases, sql, type Changes, type DatabaseStep, type DesiredDatabases } from './database-state.js';
import type { PostgresCatalogue, PostgresRole } from './postgres-catalogue.js';
import { postgresAnyIdentifier, databaseName, postgresIdentifier, postgresOwnerRole, postgresPasswordVerifier, postgresString } from './sql-identifiers.js';

/** What an owner role is: no login, no power, only its database. */
const OWNER_ROLE = 'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 PASSWORD NULL';
/** What a user is: a login, no power beyond what its databases' owner roles give it. */
const USER_ROLE = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT -1 VALID UNTIL 'infinity'";
const DATABASE_PRIVILEGES = ['CONNECT', 'CREATE', 'TEMPORARY'];

const owner = (database: string) => postgresAnyIdentifier(postgresOwnerRole(database));
const marker = (kind: 'database' | 'user', name: string, id: string) =>
  `INSERT INTO managed (kind, name, resource_id) VALUES ('${kind}', ${postgresString(name)}, ${postgresString(id)}) ON CONFLICT DO NOTHING`;
const unmark = (kind: 'database' | 'user', name: string) => `DELETE FROM managed WHERE kind = '${kind}' AND name = ${postgresString(name)}`;

function powerless(role: PostgresRole): boolean {
  return !role.superuser && !role.createdb && !role.createrole && !role.replication && !role.bypassrls && role.inherit && role.connectionLimit === -1;
}

/**
 * What PostgreSQL must run to have exactly the desired databases and users (pure). Each Ruche
 * database is owned by its own role (`<database>-owner`, no login); each user granted the
 * database is a member of it and, in that database, works as it (`ALTER ROLE … IN DATABASE …
 * SET role`), so what one user makes the others can use, and a restored dump belongs to it.
 * Nobody else may connect (`REVOKE ALL … FROM PUBLIC`).
 */
export function planPostgres(desired: DesiredDatabases, observed: PostgresCatalogue | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep> {
  if (!observed) return planDatabases(desired, null, resources);
  // Roles whose grants their own user's plan puts right; the databases' plans see to everyone else's.
  const planned = new Set(desired.users.filter((user) => observed.managed.users.has(user.name) || !observed.roles.has(user.name)).map((user) => user.name));
  const managedPresent = (name: string) => observed.managed.databases.has(name) && observed.databases.has(name);
  /** Objects `role` owns or privileges it holds in Ruche's databases go to each database's owner role. */
  const handOver = (role: string, except?: string) =>
    observed.dependencies
      .filter((dependency) => dependency.role === role && dependency.database !== except && managedPresent(dependency.database))
      .flatMap((dependency) => handOverIn(role, dependency.database));

  return planDatabases(
    desired,
    {
      hasDatabase: (name) => observed.databases.has(name),
      hasUser: (name) => observed.roles.has(name),
      managed: observed.managed,
      database: (database) => databaseChanges(database, observed, planned),
      user(user, databases) {
        const role = observed.roles.get(user.name);
        const { statements, edits } = role ? userChanges(user.name, user.passwordVerifier, databases, role, observed) : newUser(user.name, user.state.id, user.passwordVerifier, databases, observed);
        return { steps: sql(...statements), edits };
      },
      leavingUser(user) {
        const role = postgresIdentifier(user.name);
        const present = observed.roles.has(user.name);
        return sql(...(present ? [`ALTER ROLE ${role} NOLOGIN`, endSessions(user.name), ...handOver(user.name), `DROP OWNED BY ${role}`, `DROP ROLE ${role}`] : []), unmark('user', user.name));
      },
      leavingDatabase({ name, state }) {
        const present = observed.databases.has(name);
        return [
          ...(present ? [{ archive: { database: name, path: archivePath(desired.archiveDir, 'postgresql', name, state.id) } }] : []),
          ...sql(
            ...(present ? [`DROP DATABASE ${postgresIdentifier(name)} WITH (FORCE)`] : []),
            ...(observed.roles.has(postgresOwnerRole(name)) ? [...handOver(postgresOwnerRole(name), name), `DROP OWNED BY ${owner(name)}`, `DROP ROLE ${owner(name)}`] : []),
            unmark('database', name),
          ),
        ];
      },
    },
    resources,
  );
}

/** A database Ruche made or is about to make: its owner role, and nobody else with any access. */
function databaseChanges({ name, state, restoreFrom }: DesiredDatabases['databases'][number], observed: PostgresCatalogue, planned: ReadonlySet<string>): Changes {
  const statements: string[] = [];
  const edits: string[] = [];
  const ownerRole = observed.roles.get(postgresOwnerRole(name));
  if (!ownerRole) statements.push(`CREATE ROLE ${owner(name)} ${OWNER_ROLE}`);
  else if (ownerRole.login || ownerRole.password !== null || !powerless(ownerRole)) {
    statements.push(`ALTER ROLE ${owner(name)} WITH ${OWNER_ROLE}`);
    edits.push('its owner role was given a login or powers');
  }
  const found = observed.databases.get(name);
  if (!found) {
    if (!observed.managed.databases.has(name)) statements.unshift(marker('database', name, state.id));
    statements.push(`CREATE DATABASE ${postgresIdentifier(name)} OWNER ${owner(name)}`, `REVOKE ALL ON DATABASE ${postgresIdentifier(name)} FROM PUBLIC`);
    // Before 15, the public schema belongs to the administrator and anyone may create in it.
    if (observed.version < 150000) {
      statements.push(`\\connect ${databaseName(name)}`, `ALTER SCHEMA public OWNER TO ${owner(name)}`, 'REVOKE ALL ON SCHEMA public FROM PUBLIC', `\\connect ${BOOKKEEPING}`);
    }
    edits.push('the database was dropped; made again, empty');
  } else {
    if (found.owner !== postgresOwnerRole(name)) {
      statements.push(`ALTER DATABASE ${postgresIdentifier(name)} OWNER TO ${owner(name)}`);
      edits.push(`owner changed to ${found.owner}`);
    }
    if (!found.allowConnections || found.connectionLimit !== -1) {
      statements.push(`ALTER DATABASE ${postgresIdentifier(name)} WITH ALLOW_CONNECTIONS true CONNECTION LIMIT -1`);
      edits.push('connections limited');
    }
    const acl = found.acl;
    if (acl === null || acl.some((entry) => entry.grantee === '')) {
      statements.push(`REVOKE ALL ON DATABASE ${postgresIdentifier(name)} FROM PUBLIC`);
      edits.push('anyone could connect');
    }
    for (const grantee of new Set((acl ?? []).map((entry) => entry.grantee).filter((grantee) => grantee !== '' && grantee !== postgresOwnerRole(name) && !planned.has(grantee)))) {
      statements.push(`REVOKE ALL ON DATABASE ${postgresIdentifier(name)} FROM ${postgresAnyIdentifier(grantee)}`, endSessions(grantee, name));
      edits.push(`privileges given to ${grantee} revoked`);
    }
    const ownerEntries = (acl ?? []).filter((entry) => entry.grantee === postgresOwnerRole(name));
    if (acl !== null && !DATABASE_PRIVILEGES.every((privilege) => ownerEntries.some((entry) => entry.privilege === privilege))) {
      statements.push(`GRANT ALL ON DATABASE ${postgresIdentifier(name)} TO ${owner(name)}`);
      edits.push('its owner role’s privileges given back');
    }
  }
  for (const stranger of observed.memberships.filter((membership) => membership.role === postgresOwnerRole(name) && !planned.has(membership.member))) {
    statements.push(`REVOKE ${owner(name)} FROM ${postgresAnyIdentifier(stranger.member)}`, endSessions(stranger.member, name));
    edits.push(`access given to ${stranger.member} revoked`);
  }
  const steps = sql(...statements);
  if (restoreFrom) steps.push({ restore: { database: name, archiveId: restoreFrom.archiveId, path: restoreFrom.path } });
  return { steps, edits };
}

function newUser(name: string, id: string, verifier: string, databases: string[], observed: PostgresCatalogue) {
  const role = postgresIdentifier(name);
  const statements = [
    ...(observed.managed.users.has(name) ? [] : [marker('user', name, id)]),
    `CREATE ROLE ${role} WITH ${USER_ROLE} PASSWORD ${postgresPasswordVerifier(verifier)}`,
    ...databases.flatMap((database) => joins(name, database)),
  ];
  return { statements, edits: ['the user was dropped; made again'] };
}

/** Membership of a database's owner role, and working as it there. */
function joins(user: string, database: string): string[] {
  return [`GRANT ${owner(database)} TO ${postgresIdentifier(user)}`, setRole(user, database)];
}

/** In a database, what `role` owns goes to the database's owner role and what it was granted goes. */
function handOverIn(role: string, database: string): string[] {
  return [`\\connect ${databaseName(database)}`, `REASSIGN OWNED BY ${postgresAnyIdentifier(role)} TO ${owner(database)}`, `DROP OWNED BY ${postgresAnyIdentifier(role)}`, `\\connect ${BOOKKEEPING}`];
}

/**
 * A session keeps the role it set at login and CONNECT is checked only then, so a revoke or a
 * drop ends the role's sessions (in `database` only, for a role Ruche did not make).
 */
function endSessions(role: string, database?: string): string {
  return `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ${postgresString(role)}${database ? ` AND datname = ${postgresString(database)}` : ''}`;
}

const setRole = (user: string, database: string) =>
  `ALTER ROLE ${postgresIdentifier(user)} IN DATABASE ${postgresIdentifier(database)} SET role = ${postgresString(postgresOwnerRole(database))}`;

/** An existing Ruche role: its password and attributes, exactly its memberships, settings and privileges. */
function userChanges(
  name: string,
  verifier: string,
  databases: string[],
  found: PostgresRole,
  observed: PostgresCatalogue,
) {
  const role = postgresIdentifier(name);
  const statements: string[] = [];
  const edits: string[] = [];
  const passwordChanged = found.password !== verifier;
  const settingsChanged = !found.login || !powerless(found) || (found.validUntil !== null && found.validUntil !== 'infinity');
  if (passwordChanged || settingsChanged) {
    statements.push(`ALTER ROLE ${role} WITH ${USER_ROLE} PASSWORD ${postgresPasswordVerifier(verifier)}`);
    if (passwordChanged) edits.push('password changed');
    if (settingsChanged) edits.push('login, powers or expiry changed');
  }
  const owners = new Map(databases.map((database) => [postgresOwnerRole(database), database]));
  const managedOwner = (roleName: string) =>
    [...observed.managed.databases].find((database) => roleName === `${database}-owner` && observed.databases.has(database)) ?? null;

  for (const membership of observed.memberships.filter((candidate) => candidate.member === name)) {
    if (owners.has(membership.role)) {
      if (membership.admin) {
        statements.push(`REVOKE ADMIN OPTION FOR ${postgresAnyIdentifier(membership.role)} FROM ${role}`);
        edits.push(`admin option on ${membership.role} revoked`);
      }
      continue;
    }
    statements.push(`REVOKE ${postgresAnyIdentifier(membership.role)} FROM ${role}`);
    const database = managedOwner(membership.role);
    if (database) {
      // What it made there as itself stays in the database, handed to its owner role.
      if (observed.dependencies.some((dependency) => dependency.role === name && dependency.database === database)) {
        statements.push(...handOverIn(name, database));
      }
      edits.push(`access to ${database} revoked`);
    } else {
      edits.push(`membership of ${membership.role} revoked`);
    }
  }
  for (const [ownerRole, database] of owners) {
    if (!observed.memberships.some((membership) => membership.member === name && membership.role === ownerRole)) {
      statements.push(`GRANT ${owner(database)} TO ${role}`);
      edits.push(`access to ${database} given back`);
    }
  }
  for (const membership of observed.memberships.filter((candidate) => candidate.role === name)) {
    statements.push(`REVOKE ${role} FROM ${postgresAnyIdentifier(membership.member)}`);
    edits.push(`${membership.member} made a member of it; revoked`);
  }

  const settings = observed.settings.filter((setting) => setting.role === name);
  for (const database of databases) {
    const wanted = `role=${postgresOwnerRole(database)}`;
    if (!settings.some((setting) => setting.database === database && setting.config.includes(wanted))) {
      statements.push(setRole(name, database));
      edits.push(`its role in ${database} set back`);
    }
  }
  for (const setting of settings.filter((candidate) => candidate.database === null || !databases.includes(candidate.database))) {
    if (!setting.config.some((entry) => entry.startsWith('role='))) continue;
    // Its database may have just been dropped with its settings; only one still there is reset.
    if (setting.database !== null && !observed.databases.has(setting.database)) continue;
    statements.push(setting.database === null ? `ALTER ROLE ${role} RESET role` : `ALTER ROLE ${role} IN DATABASE ${postgresAnyIdentifier(setting.database)} RESET role`);
    edits.push(`its role${setting.database === null ? '' : ` in ${setting.database}`} reset`);
  }

  for (const [database, found] of observed.databases) {
    if (!(found.acl ?? []).some((entry) => entry.grantee === name)) continue;
    statements.push(`REVOKE ALL ON DATABASE ${postgresAnyIdentifier(database)} FROM ${role}`);
    edits.push(`privileges on ${database} revoked`);
  }
  if (statements.some((statement) => statement.startsWith('REVOKE') || statement.endsWith('RESET role'))) statements.push(endSessions(name));
  return { statements, edits };
}
