import { createHash } from 'node:crypto';
import { isSafeDocumentRoot, ORGANIZATION_PREFIX, parseHostName, redirectProblem } from '@ruche/hosting';
import { subfolderPath } from '../../transports/connection.js';
import { MANAGED_HEADER } from '../driver.js';

export interface SiteConfig {
  id: string;
  prefix: string;
  hostnames: string[];
  documentRoot: string;
  redirectTo: string | null;
  https: boolean;
}

export const WEB_ROOT = '/srv/ruche';
export const ACCESS_LOG = '/var/log/nginx/ruche-access.log';

/** The shared access log's lines: the site (its id, `-` for none) and the host asked for, then the usual combined format. */
const LOG_FORMAT = `log_format ruche '$ruche_site_id $host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`;

/**
 * Hidden files (.git, .env, .htpasswd…) are never served, .well-known is. One map for every
 * site instead of a location per site: each location (or `if`) block costs nginx a
 * configuration for every module, per server, at every check and reload (10,000 sites: 2.1 s
 * of `nginx -t` with two locations each, 0.65 s with none). A hidden path's root gets this
 * prefix, under a device, so that no folder can ever be there: it answers 404.
 */
const HIDDEN_MAP = 'map $uri $ruche_hidden { default ""; "~/\\.(?!well-known(/|$))" /dev/null/ruche-hidden; }';
export const CERT_DIR = '/etc/ruche/certs';

/**
 * Where a new site's names are linked to its document root while its release is staged,
 * checked and swapped in (see NginxDriver.serveEarly): a name the live maps do not have is
 * served from here. Written by root alone; the activation empties it once the release serves.
 */
export const EARLY_HOSTS = '/var/lib/ruche/web/hosts';
/** A host name that may name a file there: labels of letters, digits and hyphens (what the API lets in, lowercased, never `.` or `..`). */
export const EARLY_HOST_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/** The subjectAltName list of an HTTPS site's certificate. */
export function certificateNames(site: Pick<SiteConfig, 'hostnames'>): string {
  return site.hostnames.map((name) => `DNS:${name}`).join(',');
}

/**
 * The name of an HTTPS site's certificate pair under CERT_DIR: its id and a hash of its names.
 * A pair made for new names is a new file, so the one the live configuration serves is never
 * replaced before the release that uses the new names goes live.
 */
export function certificatePair(site: Pick<SiteConfig, 'id' | 'hostnames'>): string {
  return `${site.id}-${createHash('sha256').update(certificateNames(site)).digest('hex').slice(0, 16)}`;
}

/** A value Ruche refuses to write into an nginx file. */
export class UnsafeValue extends Error {}

function hostname(value: string): string {
  try {
    if (parseHostName(value) !== value) throw new Error();
  } catch {
    throw new UnsafeValue(`host name ${JSON.stringify(value)} is not valid`);
  }
  return value;
}

export function siteRoot(site: Pick<SiteConfig, 'prefix' | 'documentRoot'>): string {
  if (!ORGANIZATION_PREFIX.test(site.prefix)) throw new UnsafeValue(`organisation prefix ${JSON.stringify(site.prefix)} is not valid`);
  if (!isSafeDocumentRoot(site.documentRoot)) throw new UnsafeValue(`document root ${JSON.stringify(site.documentRoot)} is not valid`);
  return `${WEB_ROOT}/${site.prefix}/${site.documentRoot}`;
}

/**
 * A site is lines of Ruche's maps, not a server block: one `server` block serves every site of
 * the server, its root, redirect and certificate read from maps keyed by the host name. Each
 * server block costs nginx a configuration for every module at each check and reload: with
 * 10,000 vhosts a master held 147 MB and a reload took seconds before new workers answered.
 *
 * Each of the site's names maps to `"<site id> <tls:<pair>|plain> <root|redirect> <path or URL>"`;
 * every value is checked again here against the patterns the API used (the database is not
 * trusted to hold only what the API let in), and none can hold a space, quote, `$` or `;`.
 */
export function renderSiteMap(site: SiteConfig): string {
  if (!/^[0-9a-f-]{36}$/.test(site.id)) throw new UnsafeValue('site id is not valid');
  const names = site.hostnames.map(hostname);
  const root = siteRoot(site);
  if (site.redirectTo !== null && redirectProblem(site.redirectTo)) throw new UnsafeValue(`redirect ${JSON.stringify(site.redirectTo)} is not valid`);
  const target = site.redirectTo !== null ? `redirect ${site.redirectTo}` : `root ${root}`;
  const value = `${site.id} ${site.https ? `tls:${certificatePair(site)}` : 'plain'} ${target}`;
  return [`# ${MANAGED_HEADER}`, `# Site ${site.id} (${site.prefix})`, ...names.map((name) => `${name} "${value}";`), ''].join('\n');
}

/**
 * Room for any valid host name (up to 253 characters) and tens of thousands of them: with
 * nginx's defaults (64-byte buckets) one long name a client may lawfully use stops nginx from
 * loading any site at all. nginx takes the smallest table that fits; these are only ceilings.
 */
const MAP_HASH = ['map_hash_bucket_size 512;', 'map_hash_max_size 262144;'];

/** What a site's map value says, read back by regular expressions (their captures named for Ruche alone). */
const VALUE_MAPS = [
  // A name no site of the release has: its early link, if any (nginx's $host is lowercased and
  // holds no `/`; the pattern keeps it to one plain file name all the same).
  `map $host $ruche_early { default /dev/null/ruche-unknown-host; "~${EARLY_HOST_NAME.source}" ${EARLY_HOSTS}/$host; }`,
  'map $ruche_site $ruche_root { default $ruche_early; "~^\\S+ \\S+ root (?<ruche_root_path>.+)$" $ruche_root_path; }',
  'map $ruche_site $ruche_redirect { default ""; "~^\\S+ \\S+ redirect (?<ruche_redirect_url>.+)$" $ruche_redirect_url; }',
  'map $ruche_site $ruche_cert { default ruche-no-certificate; "~^\\S+ tls:(?<ruche_cert_pair>\\S+) " $ruche_cert_pair; }',
  // A request over TLS for a name without HTTPS (a plain site, or no site) is not served.
  'map "$https:$ruche_cert" $ruche_misdirected { default ""; "on:ruche-no-certificate" 1; }',
  'map $ruche_site $ruche_site_id { default -; "~^(?<ruche_log_site>\\S+) " $ruche_log_site; }',
];

/** A site's file in the release: in its subfolder of `sites/`, shared between releases (see subfolderPath). */
export function siteFile(id: string): string {
  return `sites/${subfolderPath(id, `${id}.conf`)}`;
}

/**
 * The maps and the one server block, reading the site files under `sites` (one subfolder down). The server block
 * takes every host name no other block of the server names (a regular expression is tried
 * after exact names): a name Ruche does not serve gets 404, not the server's default page.
 * A name without HTTPS asked for over TLS (a plain site, no site, or a client without SNI)
 * gets a placeholder certificate for `invalid` (a missing one would cost an error line per
 * handshake) and 421 Misdirected Request.
 */
function sitesHttp(sites: string, ipv6: boolean): string[] {
  return [
    LOG_FORMAT,
    HIDDEN_MAP,
    // One lookup of the sites' names (each map reading them costs nginx a pass over every file
    // at each check and reload): by the name a TLS client asks for at the handshake (SNI;
    // nginx reads the certificate's variables in a request of its own, with no method yet),
    // by the Host of a request.
    'map $request_method $ruche_name { "" $ssl_server_name; default $host; }',
    // (`hostnames`: a name asked for with a final dot is the same name.)
    `map $ruche_name $ruche_site { hostnames; default ""; include ${sites}/*/*.conf; }`,
    ...VALUE_MAPS,
    'server {',
    '    listen 80;',
    ...(ipv6 ? ['    listen [::]:80;'] : []),
    '    listen 443 ssl;',
    ...(ipv6 ? ['    listen [::]:443 ssl;'] : []),
    '    server_name ~^;',
    // Read at each handshake, by the name the client asked for (SNI).
    `    ssl_certificate ${CERT_DIR}/$ruche_cert.crt;`,
    `    ssl_certificate_key ${CERT_DIR}/$ruche_cert.key;`,
    // One shared log for every site (one file descriptor, not two per site: a server holds
    // thousands of sites); each line starts with the host asked for.
    `    access_log ${ACCESS_LOG} ruche;`,
    '    if ($ruche_misdirected) { return 421; }',
    '    if ($ruche_redirect) { return 301 $ruche_redirect; }',
    // No location blocks (see HIDDEN_MAP): the server's own settings serve every path.
    '    root $ruche_hidden$ruche_root;',
    '    index index.html index.htm;',
    '    try_files $uri $uri/ =404;',
    '}',
  ];
}

/** The release's shared file `http.conf`: the log format, the maps and the server block over the live sites. */
export function renderHttp(ipv6: boolean): string {
  return [`# ${MANAGED_HEADER}`, ...sitesHttp('/etc/nginx/ruche/sites', ipv6), ''].join('\n');
}

/**
 * The file that makes nginx serve Ruche's sites: Ruche's own file in conf.d, not an edit of
 * nginx.conf: the maps' hash sizes, then the live release's `http.conf` (swapped in with the
 * sites it reads; the pattern lets nginx start, serving no site, before the first release is
 * there). The sizes must come before any map (nginx fixes them at the first map it reads), and
 * are left out when the server's own configuration sets them or has a map of its own read
 * before this file (a second setting, or one after a map, stops nginx).
 */
export function nginxInclude(withHashSizes: boolean): string {
  return [`# ${MANAGED_HEADER}`, ...(withHashSizes ? MAP_HASH : []), 'include /etc/nginx/ruche/http*.conf;', ''].join('\n');
}

/** Where prepare writes the maps' hash sizes the live configuration has, for the check. */
export const CHECK_SIZES_FILE = '/etc/ruche/nginx-check-sizes.conf';

/**
 * The check's hash sizes: Ruche's when its conf.d file sets them, otherwise the lines the
 * server's own configuration has (none: nginx's defaults), so that the check refuses what the
 * reload would.
 */
export function checkSizes(setElsewhere: readonly string[] | null): string {
  return [`# ${MANAGED_HEADER}`, ...(setElsewhere ?? MAP_HASH).map((line) => line.trim()), ''].join('\n');
}

/** A configuration for `nginx -t` that loads only a staged release's sites, with the live hash sizes. */
export function checkConfig(release: string): string {
  return [
    `# ${MANAGED_HEADER}`,
    'error_log stderr;',
    'pid /run/ruche-nginx-check.pid;',
    'events {}',
    'http {',
    ...['include /etc/nginx/mime.types;', `include ${CHECK_SIZES_FILE};`, ...sitesHttp(`${release}/sites`, false)].map((line) => `    ${line}`),
    '}',
    '',
  ].join('\n');
}

export const DEFAULT_INDEX = `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Ruche</title></head>
<body>
<p lang="fr">Ce site est hébergé par la coop. Déposez vos fichiers ici pour le publier.</p>
<p lang="en">This site is hosted by the co-op. Upload your files here to publish it.</p>
</body>
</html>
`;
