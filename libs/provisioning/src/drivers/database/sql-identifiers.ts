import { DATABASE_FULL_NAME } from '@ruche/hosting';

/** A name Ruche refuses to put into an SQL statement. */
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
