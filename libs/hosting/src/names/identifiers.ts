/**
 * Names that end up in SQL statements, config files and shell arguments are checked here and
 * again in the drivers, against patterns with nothing to escape.
 */
export const ORGANIZATION_PREFIX = /^[a-z][a-z0-9]{1,11}$/;
export const DATABASE_SHORT_NAME = /^[a-z][a-z0-9_]{0,15}$/;
/** Full names: `<prefix>_<short>`, at most 32 characters (MySQL's user name limit, the strictest). */
export const DATABASE_FULL_NAME = /^[a-z][a-z0-9]{1,11}_[a-z][a-z0-9_]{0,15}$/;
/** Relative paths inside an organisation's web space. */
export const DOCUMENT_ROOT = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,63})(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}){0,7}$/;

/** A prefix for an organisation's database names, derived from its name: `Café Solidaire` → `cafesolid`. */
export function prefixFromName(name: string): string {
  const letters = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^[0-9]+/, '');
  const base = letters.slice(0, 8);
  return base.length >= 2 ? base : `org${base}`;
}

export function isSafeDocumentRoot(path: string): boolean {
  return DOCUMENT_ROOT.test(path) && !path.split('/').some((segment) => segment === '.' || segment === '..' || segment.endsWith('.'));
}
