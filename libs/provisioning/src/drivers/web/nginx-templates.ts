import { isSafeDocumentRoot, ORGANIZATION_PREFIX, parseHostName, redirectProblem } from '@ruche/hosting';
import { MANAGED_HEADER } from '../driver.js';

export interface SiteConfig {
  id: string;
  prefix: string;
  hostnames: string[];
  documentRoot: string;
  redirectTo: string | null;
  https: boolean;
  ipv6: boolean;
}

export const WEB_ROOT = '/srv/ruche';
export const ACCESS_LOG = '/var/log/nginx/ruche-access.log';

/** The shared access log's lines: the site (its first name) and the host asked for, then the usual combined format. */
const LOG_FORMAT = `log_format ruche '$server_name $host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`;

/**
 * Hidden files (.git, .env, .htpasswd…) are never served, .well-known is. One map for every
 * site instead of a location per site: each location (or `if`) block costs nginx a
 * configuration for every module, per server, at every check and reload (10,000 sites: 2.1 s
 * of `nginx -t` with two locations each, 0.65 s with none). A hidden path's root gets this
 * prefix, under a device, so that no folder can ever be there: it answers 404.
 */
const HIDDEN_MAP = 'map $uri $ruche_hidden { default ""; "~/\\.(?!well-known(/|$))" /dev/null/ruche-hidden; }';
export const CERT_DIR = '/etc/ruche/certs';

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
 * One nginx server block per site. Every value is checked again here against the patterns
 * the API used (the database is not trusted to hold only what the API let in).
 */
export function renderVhost(site: SiteConfig): string {
  if (!/^[0-9a-f-]{36}$/.test(site.id)) throw new UnsafeValue('site id is not valid');
  const names = site.hostnames.map(hostname).join(' ');
  const root = siteRoot(site);
  if (site.redirectTo !== null && redirectProblem(site.redirectTo)) throw new UnsafeValue(`redirect ${JSON.stringify(site.redirectTo)} is not valid`);
  const listen = [
    '    listen 80;',
    ...(site.ipv6 ? ['    listen [::]:80;'] : []),
    ...(site.https ? ['    listen 443 ssl;', ...(site.ipv6 ? ['    listen [::]:443 ssl;'] : [])] : []),
  ];
  const tls = site.https ? [`    ssl_certificate ${CERT_DIR}/${site.id}.crt;`, `    ssl_certificate_key ${CERT_DIR}/${site.id}.key;`] : [];
  const body =
    site.redirectTo !== null
      ? [`    return 301 "${site.redirectTo}";`]
      : [
          // No location blocks (see HIDDEN_MAP): the server's own settings serve every path.
          `    root $ruche_hidden${root};`,
          '    index index.html index.htm;',
          '    try_files $uri $uri/ =404;',
        ];
  return [
    `# ${MANAGED_HEADER}`,
    `# Site ${site.id} (${site.prefix})`,
    'server {',
    ...listen,
    `    server_name ${names};`,
    ...tls,
    // One shared log for every site (one file descriptor, not two per site: a server holds
    // thousands of sites); each line starts with the site's first name and the host asked for.
    `    access_log ${ACCESS_LOG} ruche;`,
    ...body,
    '}',
    '',
  ].join('\n');
}

/**
 * Room for any valid host name (up to 253 characters) and thousands of them: with nginx's
 * defaults (64-byte buckets) one long name a client may lawfully use stops nginx from loading
 * any site at all. nginx takes the smallest table that fits; these are only ceilings.
 */
const SERVER_NAMES_HASH = ['server_names_hash_bucket_size 512;', 'server_names_hash_max_size 131072;'];

/**
 * The file that makes nginx read Ruche's sites: Ruche's own file in conf.d, not an edit of
 * nginx.conf. Without the hash sizes when the server's own configuration sets them already (a
 * second setting would stop nginx).
 */
export function nginxInclude(withHashSizes: boolean): string {
  return [`# ${MANAGED_HEADER}`, LOG_FORMAT, HIDDEN_MAP, ...(withHashSizes ? SERVER_NAMES_HASH : []), 'include /etc/nginx/ruche/sites/*.conf;', ''].join('\n');
}

/** A configuration for `nginx -t` that loads only a staged release's sites. */
export function checkConfig(release: string): string {
  return [
    `# ${MANAGED_HEADER}`,
    'error_log stderr;',
    'pid /run/ruche-nginx-check.pid;',
    'events {}',
    'http {',
    '    include /etc/nginx/mime.types;',
    `    ${LOG_FORMAT}`,
    `    ${HIDDEN_MAP}`,
    ...SERVER_NAMES_HASH.map((line) => `    ${line}`),
    `    include ${release}/sites/*.conf;`,
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
