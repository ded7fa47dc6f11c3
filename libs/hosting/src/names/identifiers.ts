/**
 * Names that end up in SQL statements, config files and shell arguments are checked here and
 * again in the drivers, against patterns with nothing to escape.
 */
export const ORGANIZATION_PREFIX = /^[a-z][a-z0-9]{1,11}$/;
export const DATABASE_SHORT_NAME = /^[a-z][a-z0-9_]{0,15}$/;
/** Full names: `<prefix>_<short>`, at most 32 characters (MySQL's user name limit, the strictest). */
export const DATABASE_FULL_NAME = /^[a-z][a-z0-9]{1,11}_[a-z][a-z0-9_]{0,15}$/;
/**
 * Relative paths inside an organisation's web space: up to 8 names of up to 255 characters
 * (a file name's limit), so the default `sites/<host name>` fits any host name.
 */
export const DOCUMENT_ROOT = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,254})(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,254}){0,7}$/;

/** `<prefix>_<short name>`, or null when the result breaks the rule (it goes into SQL statements on servers). */
export function databaseFullName(prefix: string, shortName: string): string | null {
  const name = `${prefix}_${shortName}`;
  return DATABASE_FULL_NAME.test(name) && name.length <= 32 ? name : null;
}

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

/**
 * Redirect targets reach nginx inside double quotes: these are the characters allowed there (no
 * `$`, which nginx reads as a variable, no quote, backslash, brace, semicolon or space).
 */
const REDIRECT_CHARACTERS = /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!&'()*+,=%-]+$/;
const DOMAIN_HOST = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The one rule for a site's redirect target, shared by the API and the nginx renderer: an
 * absolute http(s) URL to a domain name, written with the characters above only. Anything else
 * is refused, not rewritten: percent-encode the rest (é → %C3%A9), write IDN hosts as xn--.
 */
export function redirectProblem(url: string): 'redirect_invalid' | 'redirect_not_ascii' | null {
  if (url.length > 2000 || !/^https?:\/\//i.test(url)) return 'redirect_invalid';
  if (!REDIRECT_CHARACTERS.test(url)) return 'redirect_not_ascii';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'redirect_invalid';
  }
  if (parsed.username || parsed.password || !DOMAIN_HOST.test(parsed.hostname)) return 'redirect_invalid';
  return null;
}
