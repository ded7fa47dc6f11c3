import { BOOKKEEPING } from './database-state.js';

export interface PostgresRole {
  name: string;
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  replication: boolean;
  bypassrls: boolean;
  inherit: boolean;
  connectionLimit: number;
  validUntil: string | null;
  /** Read to compare with the stored verifier; never logged. */
  password: string | null;
}

export interface PostgresDatabase {
  name: string;
  owner: string;
  allowConnections: boolean;
  connectionLimit: number;
  /** Its access list; null is PostgreSQL's default, where anyone may connect. `grantee` '' is PUBLIC. */
  acl: Array<{ grantee: string; privilege: string; grantable: boolean }> | null;
}

/** What a PostgreSQL cluster has that Ruche cares about, read in one round trip (shared catalogues only). */
export interface PostgresCatalogue {
  /** server_version_num: 150000 and up own a database's public schema by its owner already. */
  version: number;
  managed: { databases: Set<string>; users: Set<string> };
  databases: Map<string, PostgresDatabase>;
  roles: Map<string, PostgresRole>;
  memberships: Array<{ role: string; member: string; admin: boolean }>;
  /** Per-role settings (ALTER ROLE … [IN DATABASE …] SET); `database` null for every database. */
  settings: Array<{ role: string; database: string | null; config: string[] }>;
  /** Databases where a role owns objects or holds privileges (it cannot be dropped before they are dealt with). */
  dependencies: Array<{ role: string; database: string }>;
}

/**
 * The bookkeeping database, run against `postgres`: created once per server (the driver's
 * `prepare`), reachable by nobody but the administrator.
 */
export const POSTGRES_PREPARE = `SELECT 'CREATE DATABASE ${BOOKKEEPING}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${BOOKKEEPING}')\\gexec
REVOKE ALL ON DATABASE ${BOOKKEEPING} FROM PUBLIC;
COMMENT ON DATABASE ${BOOKKEEPING} IS 'Ruche: the databases and users it made';
\\connect ${BOOKKEEPING}
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE TABLE IF NOT EXISTS managed (
  kind text NOT NULL CHECK (kind IN ('database', 'user')),
  name text NOT NULL,
  resource_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, name)
);
COMMENT ON TABLE managed IS 'Databases and users made by Ruche: it alters and drops only these';
`;

/** The catalogue as one JSON document, run against the bookkeeping database. */
export const POSTGRES_OBSERVE = `SELECT json_build_object(
  'version', current_setting('server_version_num')::int,
  'managed', coalesce((SELECT json_agg(json_build_object('kind', kind, 'name', name)) FROM managed), '[]'),
  'databases', coalesce((SELECT json_agg(json_build_object('name', d.datname, 'owner', pg_get_userbyid(d.datdba), 'allowConnections', d.datallowconn, 'connectionLimit', d.datconnlimit,
      'acl', CASE WHEN d.datacl IS NULL THEN NULL ELSE coalesce((SELECT json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable)) FROM aclexplode(d.datacl) a), '[]') END))
    FROM pg_database d WHERE NOT d.datistemplate AND d.datname NOT IN ('postgres', '${BOOKKEEPING}')), '[]'),
  'roles', coalesce((SELECT json_agg(json_build_object('name', r.rolname, 'login', r.rolcanlogin, 'superuser', r.rolsuper, 'createdb', r.rolcreatedb, 'createrole', r.rolcreaterole,
      'replication', r.rolreplication, 'bypassrls', r.rolbypassrls, 'inherit', r.rolinherit, 'connectionLimit', r.rolconnlimit, 'validUntil', r.rolvaliduntil, 'password', r.rolpassword))
    FROM pg_authid r WHERE r.rolname !~ '^pg_'), '[]'),
  'memberships', coalesce((SELECT json_agg(json_build_object('role', pg_get_userbyid(m.roleid), 'member', pg_get_userbyid(m.member), 'admin', m.admin_option)) FROM pg_auth_members m), '[]'),
  'settings', coalesce((SELECT json_agg(json_build_object('role', pg_get_userbyid(s.setrole), 'database', d.datname, 'config', s.setconfig))
    FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase WHERE s.setrole <> 0), '[]'),
  'dependencies', coalesce((SELECT json_agg(DISTINCT jsonb_build_object('role', pg_get_userbyid(s.refobjid), 'database', d.datname))
    FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid WHERE s.refclassid = 'pg_authid'::regclass AND s.deptype IN ('o', 'a')), '[]')
);
`;

interface Document {
  version: number;
  managed: Array<{ kind: string; name: string }>;
  databases: PostgresDatabase[];
  roles: PostgresRole[];
  memberships: PostgresCatalogue['memberships'];
  settings: PostgresCatalogue['settings'];
  dependencies: PostgresCatalogue['dependencies'];
}

/** Reads what `POSTGRES_OBSERVE` printed. */
export function parsePostgresCatalogue(stdout: string): PostgresCatalogue {
  const document = JSON.parse(stdout.trim()) as Document;
  if (typeof document.version !== 'number') throw new Error('the PostgreSQL catalogue was not read whole');
  return {
    version: document.version,
    managed: {
      databases: new Set(document.managed.filter((row) => row.kind === 'database').map((row) => row.name)),
      users: new Set(document.managed.filter((row) => row.kind === 'user').map((row) => row.name)),
    },
    databases: new Map(document.databases.map((database) => [database.name, database])),
    roles: new Map(document.roles.map((role) => [role.name, role])),
    memberships: document.memberships,
    settings: document.settings.map((setting) => ({ ...setting, config: setting.config ?? [] })),
    dependencies: document.dependencies,
  };
}

/** Bytes each Ruche database takes on disk. */
export const POSTGRES_MEASURE = `SELECT coalesce(json_agg(json_build_object('name', d.datname, 'bytes', pg_database_size(d.oid))), '[]')
  FROM pg_database d WHERE d.datname IN (SELECT name FROM managed WHERE kind = 'database');
`;
