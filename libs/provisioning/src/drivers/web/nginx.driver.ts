import { Injectable, Optional, Inject } from '@nestjs/common';
import type { Config } from '@ruche/core';
import { DesiredStateReader, ResourceOutcomes, type DesiredSite, type ResourceType, type Server } from '@ruche/hosting';
import { moveToSubfolders, subfolderOf, type CommandResult, type ServerConnection } from '../../transports/connection.js';
import { RENDER_TEST_HOOK, renderEach, type RenderTestHook, withoutReleasePath, type Activation, type ActivationChange, type CheckVerdict, type FileDriver, type ReleaseCheck, type Rendered, type RenderedUnit } from '../driver.js';
import { Driver } from '../driver-registry.js';
import { CERT_DIR, certificateNames, EARLY_HOST_NAME, EARLY_HOSTS, certificatePair, CHECK_SIZES_FILE, checkConfig, checkSizes, DEFAULT_INDEX, nginxInclude, renderHttp, renderSiteMap, siteFile, siteRoot, UnsafeValue, WEB_ROOT, type SiteConfig } from './nginx-templates.js';

/** \`worker_group\` prints the group nginx's workers run as (the \`user\` line of nginx.conf). */
const WORKER_GROUP = `worker_group() {
  set -f; set -- $(sed -n 's/^[[:space:]]*user[[:space:]][[:space:]]*\\([^;#]*\\);.*/\\1/p' /etc/nginx/nginx.conf | head -n 1); set +f
  if [ -n "\${2:-}" ]; then echo "$2"; else id -gn "\${1:-www-data}" 2>/dev/null || echo www-data; fi
}`;

/**
 * The check of a staged release, in the one round trip that stages it. First each HTTPS site
 * of the release (`<pair> <site file> <subjectAltName list>` lines of the check's file) gets its self-signed
 * pair (real certificates come later), named for its names (see certificatePair), unless it is
 * there: a new pair never replaces the one the live release serves (the site's older pairs go
 * once the new release serves: see ACTIVATE).
 * `nginx -t` does not load a certificate chosen at each handshake, so a site whose pair cannot
 * be made is blamed here and the others go on. The CN stays short and fixed (at most 64
 * characters; clients check the subjectAltName). nginx's workers read the pair at each
 * handshake: readable by their group (the `user` of nginx.conf), by no one else. Shell
 * builtins only for a pair already there (a resync checks every site of the server), and no
 * process at all without HTTPS sites. Then `nginx -t` on a configuration that loads only the
 * staged sites, with the hash sizes prepare found live; the check's files go after.
 */
const CHECK = `release=$1; rc=0; certs=${CERT_DIR}
${WORKER_GROUP}
if [ -s "$release/ruche-check.tls" ]; then
  group=$(worker_group)
  umask 077
  while read -r name file names; do
    pair=$certs/$name; id=\${name%-*}
    [ -s "$pair.crt" ] && [ -s "$pair.key" ] && continue
    # A pair an earlier Ruche made for exactly these names (<id>.crt, .key, .names) serves on.
    made=
    if [ -s "$certs/$id.crt" ] && [ -s "$certs/$id.key" ] && [ -f "$certs/$id.names" ]; then read -r made < "$certs/$id.names" || :; fi
    if [ "$made" = "$names" ] && ln -f -- "$certs/$id.key" "$pair.key" && ln -f -- "$certs/$id.crt" "$pair.crt"; then
      continue
    elif openssl req -x509 -newkey rsa:2048 -nodes -days 825 -keyout "$pair.key.new" -out "$pair.crt.new" -subj /CN=ruche-self-signed -addext "subjectAltName=$names" > "$pair.err" 2>&1 \\
      && chgrp -- "$group" "$pair.key.new" "$pair.crt.new" && chmod 640 -- "$pair.key.new" "$pair.crt.new" \\
      && mv -f -- "$pair.key.new" "$pair.key" && mv -f -- "$pair.crt.new" "$pair.crt"; then
      rm -f -- "$pair.err"
    else
      echo "no certificate could be made for the names of $release/$file:1: $(tail -n 1 "$pair.err")" >&2
      rm -f -- "$pair.key.new" "$pair.crt.new" "$pair.err"; rc=1; continue
    fi
  done < "$release/ruche-check.tls"
fi
if ! nginx -t -q -c "$release/ruche-check.conf" 2> "$release/ruche-check.err"; then
  rc=1
  cat -- "$release/ruche-check.err" >&2
  # A name two files claim: nginx names the second; the first is said too (a site whose last
  # good file still claims a name it no longer has, which another site now takes).
  # (The files through xargs, in the order nginx reads them: the paths of a server holding tens of
  # thousands of sites outgrow one command line.)
  sed -n 's/.*conflicting parameter "\\([^"]*\\)".*/\\1/p' "$release/ruche-check.err" | while read -r name; do
    printf '%s\\0' "$release"/sites/*/*.conf | LC_ALL=C xargs -0 awk -v name="$name" '$1 == name "" { file = FILENAME; sub(/.*\\//, "", file); sub(/\\.conf$/, "", file); print "ruche-first-claim " file " " name; exit }' | head -n 1
  done
fi
rm -f -- "$release/ruche-check.conf" "$release/ruche-check.tls" "$release/ruche-check.err"
exit $rc`;

/** Bytes on disk under each document root read on standard input (0 for one missing or linked elsewhere), one line each. */
const MEASURE = `while IFS= read -r dir; do
  if [ -d "$dir" ] && [ "$(realpath -e -- "$dir" 2>/dev/null)" = "$dir" ]; then du -s -x -P -B1 -- "$dir" | cut -f1; else echo 0; fi
done`;

/** Whether a folder holds anything (dot files and dangling links too), with the shell's own tests. */
const HAS_FILES = 'has_files() { for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do if [ -e "$f" ] || [ -L "$f" ]; then return 0; fi; done; return 1; }';

/**
 * Reads the activation's standard input (see ACTIVATE and EARLY): `-<subfolder>/<site id>` lines into
 * \`pairs\`, `+<name> <dir>` lines as early links, and makes each organisation's document roots.
 */
const READ_INPUT = `hosts=${EARLY_HOSTS}
${HAS_FILES}
pairs=
while IFS= read -r spec; do
  case $spec in
    -*) pairs="$pairs \${spec#-}"; continue ;;
    # An early link (the name was checked: a plain file name; the site does not answer yet).
    +*) link=\${spec#+}; ln -sfn -- "\${link#* }" "$hosts/\${link%% *}"; continue ;;
  esac
  user=\${spec%%:*}; rest=\${spec#*:}; space=\${rest%%:*}; dirs=\${rest#*:}
  # The organisation's space is made by root (clients cannot write in /srv/ruche); what is
  # inside it belongs to the client, so it is touched only as the client's user: a symlink a
  # client planted there can never make root write or chown elsewhere.
  [ -L "$space" ] && { echo "$space is a symbolic link" >&2; exit 1; }
  # Every time: a move may have copied the space's files here before the user existed.
  id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" </dev/null
  [ -d "$space" ] || mkdir -p "$space"
  chown -h "$user:$user" "$space"
  old_ifs=$IFS; IFS=:; set -f
  # Only read as root (tests, no writes): does any document root (a word of $dirs, split on
  # ':' only, no globbing) still need making or its placeholder page?
  todo=no
  for dir in $dirs; do set +f; has_files "$dir" || { todo=yes; break; }; done
  set -f
  # Made as the client: the missing roots, and the placeholder page in the empty ones, written
  # by the shell itself (no process per site).
  [ $todo = no ] || setpriv --reuid="$user" --regid="$user" --clear-groups -- sh -c 'set -e
${HAS_FILES}
page=$(cat /etc/ruche/default-index.html)
mkdir -p -- "$@"
for dir; do has_files "$dir" || printf "%s\\n" "$page" > "$dir/index.html"; done' ruche-index $dirs </dev/null
  IFS=$old_ifs; set +f
done
`;

/**
 * Document roots first (made by one system user per organisation, with a placeholder page
 * when empty), then the reload. A reload is only a signal, and "ready" must mean
 * the new configuration serves: wait until the master has started new workers (it does not
 * when the reload fails, and the old configuration keeps serving) and the old ones have
 * stopped listening (they say "shutting down" in their title, then only finish their
 * connections).
 *
 * Standard input: one `<user>:<space>:<dir>[:<dir>…]` line per organisation whose sites
 * changed (names and paths hold no `:`), then `-<subfolder>/<site id>` per site changed or gone, whose
 * certificate pairs but the live one go once the new release serves. A click must stay fast:
 * an organisation whose roots all hold something (read with the shell's own tests) costs two
 * processes, its user and its space checked; and a server holds thousands of sites: the rest
 * costs a few processes per organisation, none per site (setpriv, not runuser: no PAM session
 * each time).
 */
const ACTIVATE = `set -e
${READ_INPUT}# The reload, then the wait until it serves, read from /proc by the shell (a poll that started
# processes cost more than nginx itself on a small server).
read -r master < /run/nginx.pid
children() { if [ -r "/proc/$master/task/$master/children" ]; then kids=; read -r kids < "/proc/$master/task/$master/children" || :; else kids=$(pgrep -P "$master" | tr '\\n' ' '); fi; }
children; before=" $kids "
# What \`nginx -s reload\` sends, without first parsing the whole configuration again to find
# the master (a second or more on a server with 10,000 sites); the release was checked.
kill -HUP "$master"
i=0
while [ $i -lt 600 ]; do
  children; fresh=no; stale=no
  for pid in $kids; do
    case "$before" in
      *" $pid "*) title=; read -r title 2>/dev/null < "/proc/$pid/cmdline" || true; case "$title" in *"shutting down"*) ;; *) stale=yes ;; esac ;;
      *) fresh=yes ;;
    esac
  done
  if [ $fresh = yes ] && { [ $stale = no ] || [ $i -ge 300 ]; }; then served=yes; break; fi
  sleep 0.01; i=$((i + 1))
done
if [ "$served" != yes ]; then
  echo "nginx did not start new workers after the reload:" >&2
  nginx -t 2>&1 | tail -n 5 >&2
  exit 1
fi
# The release serves every site it holds by its maps: the early links go (a site the check
# refused is not served by one any longer either), once no worker of the old release takes
# requests (one still would answer 404 for a site only its link served; the next run's
# activation, or prepare, removes them then).
if [ $stale = no ] && has_files "$hosts"; then rm -f -- "$hosts"/*; fi
# No worker serves the old release any more: the certificate pairs of the sites named (changed,
# deleted, or moved to another server) go, but the one each one's live file serves; no key is
# left behind. (An old worker still taking handshakes after the wait keeps them for now: the
# site's next change removes them.) The shell's own reads and globs: no process for a site
# without a pair to remove.
certs=${CERT_DIR}
[ $stale = no ] || pairs=
for entry in $pairs; do
  id=\${entry##*/}; live=
  if [ -f "/etc/nginx/ruche/sites/$entry.conf" ]; then
    while read -r key value; do case $value in *" tls:"*) live=\${value#*tls:}; live=\${live%% *}; break ;; esac; done < "/etc/nginx/ruche/sites/$entry.conf"
  fi
  for old in "$certs/$id".crt "$certs/$id"-*.crt; do
    [ -e "$old" ] || continue
    old=\${old%.crt}
    [ "\${old##*/}" = "$live" ] || rm -f -- "$old.crt" "$old.key" "$old.names"
  done
done`;

/**
 * A new site answers at once, before its release is staged, checked and swapped in: its
 * document roots are made as for the activation, then each of its names is linked to its
 * root under EARLY_HOSTS, which the live maps' default reads for a name they do not have (see
 * VALUE_MAPS). nginx's configuration does not change, so there is nothing to check or reload;
 * a name a live site holds stays that site's (the maps come first). The run's activation
 * removes the links once the release serves. Standard input as ACTIVATE's.
 */
const EARLY = `set -e
${READ_INPUT}`;

const HTTP_FILE = 'http.conf';

/** What prepare prints when the server has a map of its own before Ruche's file. */
const MAP_BEFORE_RUCHE = 'ruche: a map before conf.d/ruche.conf';

/** What prepare prints before the name of each site file directly in the live `sites/` (the earlier layout). */
const FLAT_SITE = 'ruche-flat-site ';

/**
 * Folders; the placeholder pair served for a name without HTTPS (see sitesHttp: without it,
 * nginx logs an error at each such handshake, and scanners make many); and certificate pairs
 * readable by nginx's workers' group and no one else (the workers read a pair at each
 * handshake; pairs made by an earlier Ruche were root's alone); then what the server's own
 * configuration says of the maps' hash sizes, and the site files an earlier Ruche wrote
 * directly in the live `sites/`.
 */
const PREPARE = `set -e
mkdir -p -- "$@"
${WORKER_GROUP}
group=$(worker_group)
# Early links a run that stopped half-way left (its sites are still waiting: they come back).
rm -f -- "$4"/*
none=$3/ruche-no-certificate
if ! { [ -s "$none.crt" ] && [ -s "$none.key" ]; }; then
  (umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$none.key" -out "$none.crt" -subj /CN=invalid -addext subjectAltName=DNS:invalid > /dev/null 2>&1) || echo "ruche: the placeholder certificate could not be made" >&2
fi
find "$3" -maxdepth 1 \\( -name '*.key' -o -name '*.crt' \\) \\( ! -group "$group" -o ! -perm 640 \\) -exec chgrp -- "$group" {} + -exec chmod 640 -- {} +
# Printed: the lines of the server's own configuration that set the maps' hash sizes, and
# a marker line when it has a map nginx reads before Ruche's file (nginx fixes the sizes at the first map).
ours=/etc/nginx/conf.d/ruche.conf
for f in /etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf; do
  [ "$f" = "$ours" ] && continue
  grep -hsE '^[[:space:]]*map_hash_(bucket|max)_size' -- "$f" || :
  if [ "$f" = /etc/nginx/nginx.conf ] || expr "$f" '<' "$ours" >/dev/null; then
    if grep -sqE '^[[:space:]]*map[[:space:]]' -- "$f"; then echo '${MAP_BEFORE_RUCHE}'; fi
  fi
done
# (Not when the live maps read the subfolders: a file there is a stray, which nginx does not read.)
if ! grep -qsF -- '/sites/*/*.conf;' /etc/nginx/ruche/${HTTP_FILE}; then
  for f in /etc/nginx/ruche/sites/*.conf; do
    if [ -f "$f" ]; then f=\${f##*/}; echo "${FLAT_SITE}\${f%.conf}"; fi
  done
fi`;

/**
 * The move to subfolders (see prepare): the maps read the subfolders. (An include line edited
 * by hand stops the move: maps that would read no site at all never go live.) nginx holds its
 * configuration in memory: nothing to reload, and the release is whole, so a reload before the
 * next run serves the same sites.
 */
const MAPS_TO_SUBFOLDERS = `if [ -f "$release/${HTTP_FILE}" ]; then
  sed 's|/sites/[*][.]conf;|/sites/*/*.conf;|' "$release/${HTTP_FILE}" > "$release/${HTTP_FILE}.new"
  grep -qF -- '/sites/*/*.conf;' "$release/${HTTP_FILE}.new" || { echo "ruche: ${HTTP_FILE} does not include sites/*.conf" >&2; exit 1; }
  mv -f -- "$release/${HTTP_FILE}.new" "$release/${HTTP_FILE}"
fi`;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A site id as a certificate pair's name starts with it (checked before it reaches a shell's glob). */
const SITE_ID = new RegExp(`^${UUID}$`);
/** A site file directly in `sites/`, where an earlier Ruche wrote them (see prepare). */
const FLAT_SITE_FILE = new RegExp(`^sites/${UUID}\\.conf$`);
/** A site file in its subfolder: `sites/<2 hex>/<site id>.conf`. */
const SITE_FILE = new RegExp(`^sites/[0-9a-f]{2}/(${UUID})\\.conf$`);
/** What nginx puts before each message it logs (time, level, process): not for a client's eyes. */
const NGINX_LOG_PREFIX = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[[a-z]+\] \d+#\d+: /;

/** The web driver: one map file per site under one shared server block, checked with `nginx -t`, reloaded once. */
@Injectable()
@Driver()
export class NginxDriver implements FileDriver {
  readonly kind = 'file' as const;
  readonly service = 'web' as const;
  readonly resourceTypes: ResourceType[] = ['site'];
  readonly liveLink = '/etc/nginx/ruche';
  readonly releasesDir = '/etc/nginx/ruche.releases';
  /** Site files are in 256 subfolders of `sites/`, shared between releases (see siteFile). */
  readonly sharedFolder = 'sites';

  constructor(
    private readonly desired: DesiredStateReader,
    private readonly outcomes: ResourceOutcomes,
    @Optional() @Inject(RENDER_TEST_HOOK) private readonly testHook?: RenderTestHook,
  ) {}

  async load(server: Server, _config: Config) {
    return this.loadSites(server, await this.desired.sites(server.id));
  }

  async loadWaiting(server: Server, _config: Config) {
    // What waits first, then what is kept: a site deleted or moved away in between is then
    // missing from both (its file goes now, its row at the next run), never kept and deleted.
    // Failed sites are loaded too (few): the check may blame one's last good file (a name it no
    // longer has, which a waiting site takes), and only a loaded site can be taken off.
    // (The sites kept are read when the plan needs them: after a new site is served early.)
    const waiting = this.loadSites(server, await this.desired.sites(server.id, 'waiting-or-failed'));
    const keptFiles = async () => {
      const kept = new Set(await this.desired.keptSiteIds(server.id));
      return { has: (path: string) => kept.has(SITE_FILE.exec(path)?.[1] ?? '') };
    };
    return { ...waiting, keptFiles };
  }

  private loadSites(server: Server, sites: DesiredSite[]) {
    const render = (): Rendered =>
      renderEach(sites, {
        place: (site) => ({
          path: siteFile(site.state.id),
          data: {
            id: site.state.id,
            prefix: site.prefix,
            hostnames: site.hostnames,
            documentRoot: site.documentRoot,
            redirectTo: site.redirectTo,
            https: site.https,
          } satisfies SiteConfig,
        }),
        text: (_row, site) => renderSiteMap(site),
        // The maps and the one server block, swapped in with the sites they read.
        shared: () => new Map([[HTTP_FILE, renderHttp(server.publicIpv6 !== null)]]),
        refuses: (error): error is UnsafeValue => error instanceof UnsafeValue,
        testHook: this.testHook,
      });
    return { resources: sites.map((site) => site.state), render };
  }

  async prepare(connection: ServerConnection): Promise<void> {
    const found = await connection.run(['sh', '-c', PREPARE, 'ruche-nginx-prepare', this.releasesDir, WEB_ROOT, CERT_DIR, EARLY_HOSTS]);
    const output = found.stdout.split('\n').filter((line) => line.trim() !== '');
    // Site files an earlier Ruche wrote directly in sites/ move to their subfolders as they are
    // (a site kept at its last good version stays so), in a release of their own, before
    // anything is rendered. (A stray file whose name is no site's stays: the next run removes it.)
    await moveToSubfolders(connection, {
      releasesDir: this.releasesDir,
      live: this.liveLink,
      shared: this.sharedFolder,
      suffix: '.conf',
      names: output.filter((line) => line.startsWith(FLAT_SITE)).map((line) => line.slice(FLAT_SITE.length)).filter((id) => SITE_ID.test(id)),
      rewrite: MAPS_TO_SUBFOLDERS,
    });
    // The maps' hash sizes are Ruche's unless the server's own configuration sets them or has a
    // map read before Ruche's file; the check uses what the live configuration ends up with.
    const lines = output.filter((line) => !line.startsWith(FLAT_SITE));
    const ruchesSizes = lines.length === 0;
    await connection.writeFiles(
      '/etc',
      new Map([
        ['ruche/default-index.html', DEFAULT_INDEX],
        ['nginx/conf.d/ruche.conf', nginxInclude(ruchesSizes)],
        [CHECK_SIZES_FILE.slice('/etc/'.length), checkSizes(ruchesSizes ? null : lines.filter((line) => line !== MAP_BEFORE_RUCHE))],
      ]),
    );
  }

  /**
   * Sites are map lines read by the release's http.conf since it exists (they were server
   * blocks before), in subfolders of `sites/` since they are shared (see prepare).
   */
  isCurrentLayout(live: ReadonlyMap<string, string>): boolean {
    if (!live.has(HTTP_FILE)) return false;
    for (const file of live.keys()) if (FLAT_SITE_FILE.test(file)) return false;
    return true;
  }

  /** The HTTPS sites' certificates, then `nginx -t` on the staged sites (see CHECK). */
  check(release: string, units: RenderedUnit[]): ReleaseCheck {
    const tls = units.map((unit) => unit.data as SiteConfig).filter((site) => site.https);
    return {
      files: new Map([
        ['ruche-check.conf', checkConfig(release)],
        ['ruche-check.tls', tls.map((site) => `${certificatePair(site)} ${siteFile(site.id)} ${certificateNames(site)}\n`).join('')],
      ]),
      argv: ['sh', '-c', CHECK, 'ruche-nginx-check', release],
    };
  }

  /**
   * nginx's messages name the site file and line. A name claimed twice is blamed on the second
   * file nginx read (files are read in the order of their subfolders, not of the sites' ages);
   * when either claimant is not one this release writes (a failed site's last good file, with a
   * name it has since given up and another site now takes), that one is blamed instead: taken
   * off, it no longer keeps the name from the site that holds it now.
   */
  verdict(result: CommandResult, units: RenderedUnit[]): CheckVerdict {
    const byResource = new Map<string, string>();
    if (result.exitCode === 0) return { byResource, general: null };
    const message = result.stderr.trim() || result.stdout.trim();
    const included = new Set(units.map((unit) => unit.resource.id));
    const firstClaims = new Map([...result.stdout.matchAll(/^ruche-first-claim ([0-9a-f-]{36}) (\S+)$/gm)].map((match) => [match[2]!, match[1]!]));
    for (const match of message.matchAll(/\/sites\/[0-9a-f]{2}\/([0-9a-f-]{36})\.conf:\d+/g)) {
      const line = withoutReleasePath((message.split('\n').find((candidate) => candidate.includes(match[0])) ?? message).replace(/^nginx: /, '').replace(NGINX_LOG_PREFIX, ''), this.releasesDir);
      const named = match[1]!;
      const first = firstClaims.get(/conflicting parameter "([^"]+)"/.exec(line)?.[1] ?? '');
      const stale = first && first !== named ? [first, named].find((id) => !included.has(id)) : undefined;
      if (stale) byResource.set(stale, `another site now serves a name its last good configuration still claimed (${line})`);
      else byResource.set(named, line);
    }
    return { byResource, general: byResource.size === 0 ? message : null };
  }

  /**
   * Web storage: `du` of each site's document root, in one round trip. A root inside another
   * site's root (or shared with it) is counted once, with the outer site, so that an
   * organisation's total is what its sites really take. Redirect-only sites use nothing.
   */
  async measure(server: Server, connection: ServerConnection): Promise<number> {
    const rows = (await this.desired.sites(server.id)).filter((site) => site.state.phase !== 'deleting');
    if (rows.length === 0) return 0;
    // A site whose root Ruche would not write (see render) is not measured either.
    const rootOf = (site: DesiredSite) => {
      try {
        return siteRoot(site);
      } catch (error) {
        if (error instanceof UnsafeValue) return null;
        throw error;
      }
    };
    const roots = rows.map((site) => (site.redirectTo === null ? rootOf(site) : null));
    const served = [...new Set(roots.filter((root) => root !== null))];
    // A root inside another is counted with it (its folders looked up, not every pair compared:
    // a server holds thousands of sites).
    const servedSet = new Set(served);
    const inside = (root: string) => {
      for (let end = root.lastIndexOf('/'); end > 0; end = root.lastIndexOf('/', end - 1)) if (servedSet.has(root.slice(0, end))) return true;
      return false;
    };
    const counted = served.filter((root) => !inside(root));
    const bytes = new Map<string, number>();
    if (counted.length > 0) {
      // On standard input: thousands of roots outgrow what one command line may hold.
      const result = await connection.run(['sh', '-c', MEASURE, 'ruche-web-usage'], { input: counted.map((root) => `${root}\n`).join(''), timeoutMs: 600_000 });
      const lines = result.stdout.split('\n').filter((line) => line !== '');
      if (lines.length !== counted.length || lines.some((line) => !/^\d+$/.test(line))) throw new Error(`unexpected du output: ${result.stdout.slice(0, 200)}`);
      counted.forEach((root, index) => bytes.set(root, Number(lines[index])));
    }
    // The first site with a counted root gets its size; nested or shared roots and redirects 0.
    await this.outcomes.recordStorage(
      'site',
      rows.map((site, index) => ({ id: site.state.id, bytes: roots[index] !== null && roots.indexOf(roots[index]!) === index ? (bytes.get(roots[index]!) ?? 0) : 0 })),
    );
    return rows.length;
  }

  /** Document roots for changed sites (one system user per organisation), then one reload. */
  activation(change: ActivationChange): Activation {
    // Then `-<subfolder>/<site id>` for each site whose older certificate pairs go once the release serves.
    const pairs = [...change.changed.map((unit) => unit.resource), ...change.removed]
      .filter((resource) => resource.type === 'site' && SITE_ID.test(resource.id))
      .map((resource) => `-${subfolderOf(resource.id)}/${resource.id}`);
    return { argv: ['sh', '-c', ACTIVATE, 'ruche-nginx-activate'], input: lines([...rootSpecs(change.changed.map((unit) => unit.data as SiteConfig)), ...pairs]) };
  }

  /**
   * A click must be live at once, on a server holding thousands of sites too: new sites with a
   * document root (a redirect needs the maps) are served from early links while their release
   * is staged, checked and reloaded (see EARLY). Only a few at a time: a bulk change (an
   * import) goes live with its release.
   */
  serveEarly(added: RenderedUnit[]): Activation | null {
    const sites = added.map((unit) => unit.data as SiteConfig).filter((site) => site.redirectTo === null && site.hostnames.every((name) => EARLY_HOST_NAME.test(name)));
    if (sites.length === 0 || sites.length > EARLY_SITES_MAX) return null;
    const links = sites.flatMap((site) => site.hostnames.map((name) => `+${name} ${siteRoot(site)}`));
    return { argv: ['sh', '-c', EARLY, 'ruche-nginx-early'], input: lines([...rootSpecs(sites), ...links]) };
  }
}

/** At most this many new sites are served early by one run. */
const EARLY_SITES_MAX = 20;

const lines = (items: readonly string[]) => items.map((line) => `${line}\n`).join('');

/** One `<user>:<space>:<dir>[:<dir>…]` line per organisation: the document roots of its sites (redirects have none). */
function rootSpecs(sites: readonly SiteConfig[]): string[] {
  const roots = new Map<string, Set<string>>();
  for (const site of sites.filter((site) => site.redirectTo === null)) {
    roots.set(site.prefix, (roots.get(site.prefix) ?? new Set()).add(siteRoot(site)));
  }
  return [...roots].map(([prefix, dirs]) => [`ruche-${prefix}`, `${WEB_ROOT}/${prefix}`, ...dirs].join(':'));
}
