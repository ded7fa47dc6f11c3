import { DATABASE_FULL_NAME } from '@ruche/hosting';

/** A name or value Ruche refuses to put into an SQL statement. */
export class UnsafeIdentifier extends Error {}

/**
 * Database and database-user names (`<prefix>_<name>`, at most 32 characters: MariaDB's user
 * name limit) checked again against hosting's rule, then quoted by each engine's rules. The rule
 * leaves nothing to escape; quoting keeps a reserved word a plain name.
 */
function checked(name: string): string {
  if (!DATABASE_FULL_NAME.test(name) || name.length > 32) throw new UnsafeIdentifier(`name ${JSON.stringify(name)} is not valid`);
  return name;
}

export function mariadbIdentifier(name: string): string {
  return `\`${checked(name)}\``;
}

export function postgresIdentifier(name: string): string {
  return `"${checked(name)}"`;
}

/** A database name as psql's `\connect` and the engines' command-line tools take it: checked, nothing to quote. */
export function databaseName(name: string): string {
  return checked(name);
}

/**
 * A database in a MariaDB GRANT or REVOKE: `_` and `%` are wildcards there, so `coop_wp` would
 * also grant `coopXwp`; escaped, it names exactly one database (mysql.db stores it so).
 */
export function mariadbGrantTarget(name: string): string {
  return `\`${mariadbGrantPattern(name)}\`.*`;
}

/** The pattern MariaDB stores in mysql.db for a grant on exactly this database. */
export function mariadbGrantPattern(name: string): string {
  return checked(name).replaceAll('_', '\\_');
}

/** The account Ruche makes for a database user: the name, from any host. */
export function mariadbAccount(name: string): string {
  return `'${checked(name)}'@'%'`;
}

/**
 * What MariaDB stores for mysql_native_password, `*` and 40 upper-case hex digits: the only
 * shape Ruche writes, checked before it goes between quotes.
 */
export const MARIADB_NATIVE_HASH = /^\*[0-9A-F]{40}$/;

/** A SCRAM-SHA-256 verifier as PostgreSQL stores it: iterations, salt, stored and server keys in base64. */
export const POSTGRES_SCRAM_VERIFIER = /^SCRAM-SHA-256\$[1-9][0-9]{0,6}:[A-Za-z0-9+/]{4,88}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;

export function mariadbPasswordHash(hash: string): string {
  if (!MARIADB_NATIVE_HASH.test(hash)) throw new UnsafeIdentifier('the stored password hash is not a mysql_native_password hash');
  return `'${hash}'`;
}

export function postgresPasswordVerifier(verifier: string): string {
  if (!POSTGRES_SCRAM_VERIFIER.test(verifier)) throw new UnsafeIdentifier('the stored password verifier is not a SCRAM-SHA-256 verifier');
  return `'${verifier}'`;
}

/**
 * Names read back from the engine (an account or role someone made by hand) are quoted by the
 * engine's full rules before Ruche revokes what they were given: printable text only, within
 * the engine's length limit; anything else is left alone.
 */
const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;

/** A MariaDB string literal (the default sql_mode: backslash escapes). */
export function mariadbString(value: string, maxLength = 255): string {
  if (!PRINTABLE.test(value) || value.length > maxLength) throw new UnsafeIdentifier(`value ${JSON.stringify(value)} cannot be quoted`);
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A MariaDB account `'user'@'host'` from names read in its catalogue. */
export function mariadbAnyAccount(user: string, host: string): string {
  return `${mariadbString(user, 128)}@${mariadbString(host, 255)}`;
}

/** A PostgreSQL identifier read in its catalogue (a role someone made by hand): double quotes doubled. */
export function postgresAnyIdentifier(name: string): string {
  if (!PRINTABLE.test(name) || name.length === 0 || Buffer.byteLength(name) > 63) throw new UnsafeIdentifier(`name ${JSON.stringify(name)} cannot be quoted`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** A PostgreSQL string literal (standard_conforming_strings: only the quote is doubled). */
export function postgresString(value: string): string {
  if (!PRINTABLE.test(value) || value.length > 1024) throw new UnsafeIdentifier(`value ${JSON.stringify(value)} cannot be quoted`);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The role that owns a PostgreSQL database Ruche made: every user granted the database is a
 * member and works as it, so what one user creates the others can use. A `-` never appears in
 * a user's name, so it can never be taken by one.
 */
export function postgresOwnerRole(database: string): string {
  return `${checked(database)}-owner`;
}

/** Hashes and verifiers never reach a log or a client: an engine's message that quotes one is cut. */
export function withoutSecrets(text: string): string {
  return text.replace(/\*[0-9A-Fa-f]{40}/g, '[hash]').replace(/SCRAM-SHA-256\$[^\s'"]*/g, '[verifier]');
}
