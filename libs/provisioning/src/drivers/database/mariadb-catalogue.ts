import { BOOKKEEPING } from './database-state.js';

/** An account in MariaDB's catalogue, with what matters to Ruche of its settings. */
export interface MariadbAccount {
  user: string;
  host: string;
  plugin: string;
  /** Read to compare with the stored one; never logged. */
  hash: string;
  expired: boolean;
  locked: boolean;
  /** Any resource limit (queries, updates, connections, statement time). */
  limits: boolean;
  /** A TLS requirement. */
  ssl: boolean;
  /** Any global privilege (on `*.*`). */
  global: boolean;
  /** Another way to log in besides the password (a unix_socket alternative). */
  otherAuthentication: boolean;
  defaultRole: string;
}

/** What a MariaDB server has that Ruche cares about, read in one round trip. */
export interface MariadbCatalogue {
  /** How many privileges ALL PRIVILEGES gives on a database, on this version. */
  fullPrivileges: number;
  /** What Ruche made (its bookkeeping table). */
  managed: { databases: Set<string>; users: Set<string> };
  databases: Set<string>;
  accounts: MariadbAccount[];
  /** Database-level grants: the database pattern as stored (`_` escaped for an exact name). */
  grants: Array<{ pattern: string; user: string; host: string; privileges: number; grantable: boolean }>;
  /** Accounts with table, column or routine privileges. */
  finerGrants: Array<{ user: string; host: string }>;
  roles: Array<{ user: string; host: string; role: string }>;
}

/** The bookkeeping table: created once per server (the driver's `prepare`). */
export const MARIADB_PREPARE = `CREATE DATABASE IF NOT EXISTS \`${BOOKKEEPING}\`;
CREATE TABLE IF NOT EXISTS \`${BOOKKEEPING}\`.managed (
  kind VARCHAR(16) NOT NULL,
  name VARCHAR(64) NOT NULL,
  resource_id CHAR(36) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (kind, name)
) ENGINE = InnoDB COMMENT = 'Databases and users made by Ruche: it alters and drops only these';
`;

/**
 * The catalogue as one JSON object per line (names may hold anything; JSON keeps lines whole):
 * `t` says what the line is.
 */
export const MARIADB_OBSERVE = `SELECT JSON_OBJECT('t', 'v', 'fullPrivileges', (SELECT COUNT(*) - 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'db' AND COLUMN_NAME LIKE '%\\_priv'));
SELECT JSON_OBJECT('t', 'm', 'kind', kind, 'name', name) FROM \`${BOOKKEEPING}\`.managed;
SELECT JSON_OBJECT('t', 'd', 'name', SCHEMA_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys', '${BOOKKEEPING}');
SELECT JSON_OBJECT('t', 'u', 'user', u.User, 'host', u.Host, 'plugin', u.plugin, 'hash', u.authentication_string, 'expired', u.password_expired = 'Y',
  'locked', IFNULL(JSON_VALUE(g.Priv, '$.account_locked'), 0) <> 0, 'limits', (u.max_questions + u.max_updates + u.max_connections + u.max_user_connections + u.max_statement_time) <> 0,
  'ssl', u.ssl_type <> '', 'global', IFNULL(JSON_VALUE(g.Priv, '$.access'), '0') <> '0', 'otherAuthentication', JSON_EXISTS(g.Priv, '$.auth_or'), 'defaultRole', u.default_role)
  FROM mysql.user u JOIN mysql.global_priv g ON g.User = u.User AND g.Host = u.Host WHERE u.is_role = 'N';
SELECT JSON_OBJECT('t', 'g', 'pattern', d.Db, 'user', d.User, 'host', d.Host, 'privileges', COUNT(p.PRIVILEGE_TYPE), 'grantable', d.Grant_priv = 'Y')
  FROM mysql.db d LEFT JOIN information_schema.SCHEMA_PRIVILEGES p ON p.GRANTEE = CONCAT('''', d.User, '''@''', d.Host, '''') AND p.TABLE_SCHEMA = d.Db
  GROUP BY d.Db, d.User, d.Host, d.Grant_priv;
SELECT JSON_OBJECT('t', 'x', 'user', User, 'host', Host) FROM (SELECT User, Host FROM mysql.tables_priv UNION SELECT User, Host FROM mysql.columns_priv UNION SELECT User, Host FROM mysql.procs_priv) f;
SELECT JSON_OBJECT('t', 'r', 'user', User, 'host', Host, 'role', Role) FROM mysql.roles_mapping;
`;

type Line = Record<string, string | number | boolean | null>;

/** Reads what `MARIADB_OBSERVE` printed. */
export function parseMariadbCatalogue(stdout: string): MariadbCatalogue {
  const catalogue: MariadbCatalogue = {
    fullPrivileges: 0,
    managed: { databases: new Set(), users: new Set() },
    databases: new Set(),
    accounts: [],
    grants: [],
    finerGrants: [],
    roles: [],
  };
  const text = (value: Line[string]) => (value === null || value === undefined ? '' : String(value));
  for (const raw of stdout.split('\n')) {
    if (raw.trim() === '') continue;
    const line = JSON.parse(raw) as Line;
    switch (line.t) {
      case 'v':
        catalogue.fullPrivileges = Number(line.fullPrivileges);
        break;
      case 'm':
        (line.kind === 'database' ? catalogue.managed.databases : catalogue.managed.users).add(text(line.name));
        break;
      case 'd':
        catalogue.databases.add(text(line.name));
        break;
      case 'u':
        catalogue.accounts.push({
          user: text(line.user),
          host: text(line.host),
          plugin: text(line.plugin),
          hash: text(line.hash),
          expired: Boolean(line.expired),
          locked: Boolean(line.locked),
          limits: Boolean(line.limits),
          ssl: Boolean(line.ssl),
          global: Boolean(line.global),
          otherAuthentication: Boolean(line.otherAuthentication),
          defaultRole: text(line.defaultRole),
        });
        break;
      case 'g':
        catalogue.grants.push({ pattern: text(line.pattern), user: text(line.user), host: text(line.host), privileges: Number(line.privileges), grantable: Boolean(line.grantable) });
        break;
      case 'x':
        catalogue.finerGrants.push({ user: text(line.user), host: text(line.host) });
        break;
      case 'r':
        catalogue.roles.push({ user: text(line.user), host: text(line.host), role: text(line.role) });
        break;
      default:
        throw new Error(`unexpected line in the MariaDB catalogue: ${raw.slice(0, 100)}`);
    }
  }
  if (!catalogue.fullPrivileges) throw new Error('the MariaDB catalogue was not read whole');
  return catalogue;
}

/** Bytes each Ruche database takes (data and indexes), one JSON object per line. */
export const MARIADB_MEASURE = `SELECT JSON_OBJECT('name', m.name, 'bytes', IFNULL(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0))
  FROM \`${BOOKKEEPING}\`.managed m LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = m.name
 WHERE m.kind = 'database' GROUP BY m.name;
`;
