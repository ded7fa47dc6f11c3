import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Config } from '@ruche/core';
import { DesiredStateReader, HOSTING_SETTINGS, type DesiredZone, type HostingSettings, type ResourceType, type Server } from '@ruche/hosting';
import { moveToSubfolders, type CommandResult, type ServerConnection } from '../../transports/connection.js';
import { RENDER_TEST_HOOK, renderEach, type RenderTestHook, withoutReleasePath, type Activation, type ActivationChange, type CheckVerdict, type FileDriver, type ReleaseCheck, type Rendered, type RenderedUnit } from '../driver.js';
import { Driver } from '../driver-registry.js';
import { renderZone, renderZoneList, UnsafeRecord, zoneFilePath } from './zone-file.js';

const LIVE = '/etc/knot/ruche';
const zoneFile = (name: string) => `zones/${zoneFilePath(name)}`;
/** A zone's name as Ruche writes it: nothing a shell would split or expand. */
const ZONE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Where zone files were before they went into subfolders (the earlier layout). */
const FLAT_ZONE_FILE = /^zones\/[^/]+\.zone$/;
const ZONES_DIR = `${LIVE}/zones`;
const INCLUDE_LINE = `include: ${LIVE}/knot.conf`;

/**
 * The DNS driver, for Knot DNS: one zone file per domain and a zone list Knot includes.
 * Zone files are in subfolders of `zones/` that releases share (a change copies one of 256).
 * Zones are checked with `knotc zone-check` against the staged release; after the swap,
 * `knotc reload` when the zone list changed, else `knotc zone-reload` of the changed zones only.
 */
@Injectable()
@Driver()
export class KnotDriver implements FileDriver {
  readonly kind = 'file' as const;
  readonly service = 'dns' as const;
  readonly resourceTypes: ResourceType[] = ['domain'];
  readonly liveLink = LIVE;
  readonly releasesDir = '/etc/knot/ruche.releases';
  /** Zone files are in 256 subfolders of `zones/`, shared between releases (see zoneFilePath). */
  readonly sharedFolder = 'zones';

  constructor(
    private readonly desired: DesiredStateReader,
    @Inject(HOSTING_SETTINGS.token) private readonly hosting: HostingSettings,
    @Optional() @Inject(RENDER_TEST_HOOK) private readonly testHook?: RenderTestHook,
  ) {}

  async load(server: Server, _config: Config) {
    return this.loadZones(await this.desired.zones(server.id), null);
  }

  async loadWaiting(server: Server, _config: Config) {
    // What waits first, then what is kept (see the web driver's).
    const waiting = await this.desired.zones(server.id, 'waiting');
    const kept = await this.desired.keptZoneNames(server.id);
    const keptFiles = new Set(kept.map(zoneFile));
    return { ...this.loadZones(waiting, kept), keptFiles: () => Promise.resolve(keptFiles) };
  }

  /** `others`: when only the waiting zones are loaded, the names of all the server keeps. */
  private loadZones(zones: DesiredZone[], others: string[] | null) {
    const settings = { nameservers: this.hosting.nameservers, hostmaster: this.hosting.hostmaster };
    const deleting = new Set(zones.filter((zone) => zone.state.phase === 'deleting').map((zone) => zone.name));
    const render = (): Rendered =>
      renderEach(zones, {
        place: (zone) => ({ path: zoneFile(zone.name), data: { name: zone.name, serial: zone.serial } satisfies ZoneData }),
        text: (zone) => renderZone(zone.name, zone.serial, zone.records, settings),
        refuses: (error): error is UnsafeRecord => error instanceof UnsafeRecord,
        testHook: this.testHook,
        // The zone list names exactly the zones in the release, kept ones included (when only
        // the waiting zones were loaded, the others are those whose file is live).
        shared: (included, kept, live) => {
          const zones = included.map((unit) => unit.data as ZoneData);
          const listed = new Set([...zones, ...kept.map((unit) => unit.data as ZoneData)].map((zone) => zone.name));
          for (const name of others ?? []) if (live.has(zoneFile(name)) && !deleting.has(name)) listed.add(name);
          const names = [...listed].sort();
          return new Map([
            ['knot.conf', renderZoneList(names, ZONES_DIR)],
            // What Knot must serve once activated: the activation waits for these serials. Not
            // for kept zones: their live file has an older serial than the one refused.
            ['serials', zones.map((zone) => `${zone.name} ${zone.serial}\n`).join('')],
          ]);
        },
      });
    return { resources: zones.map((zone) => zone.state), render };
  }

  /** Zone files were in `zones/` itself before they went into subfolders (see prepare). */
  isCurrentLayout(live: ReadonlyMap<string, string>): boolean {
    for (const file of live.keys()) if (FLAT_ZONE_FILE.test(file)) return false;
    return true;
  }

  /**
   * The releases folder; and a live tree an earlier Ruche wrote with every zone file in `zones/`
   * itself is moved to subfolders as it is (a zone kept at its last good version stays so), in
   * a release of its own, before anything is rendered.
   */
  async prepare(connection: ServerConnection): Promise<void> {
    const flat = await connection.run(['sh', '-c', FLAT_ZONES, 'ruche-knot-prepare', this.releasesDir, LIVE]);
    // (A stray file whose name is no domain's stays where it is: the next run removes it.)
    // After the swap, the next prepare finishes a reload that did not happen (see FLAT_ZONES).
    await moveToSubfolders(connection, {
      releasesDir: this.releasesDir,
      live: LIVE,
      shared: this.sharedFolder,
      suffix: '.zone',
      names: flat.stdout.split('\n').filter((zone) => ZONE_NAME.test(zone)),
      rewrite: ZONE_LIST_TO_SUBFOLDERS,
      beforeSwap: `: > "$dir/${RELOAD_PENDING}"`,
      afterSwap: `${KNOTC}\nknotc -b reload >/dev/null\nrm -f -- "$dir/${RELOAD_PENDING}"`,
    });
  }

  /**
   * `knotc zone-check`, offline, with a configuration listing the staged zone files. Many zones
   * are checked in parts, side by side on the server's cores (10,000 zones: 0.65 s as one).
   */
  check(release: string, units: RenderedUnit[]): ReleaseCheck | null {
    if (units.length === 0) return null;
    const zones = units.map((unit) => (unit.data as ZoneData).name);
    const parts = Math.min(CHECK_PARTS, Math.ceil(zones.length / CHECK_PART_MIN));
    const size = Math.ceil(zones.length / parts);
    const files = new Map<string, string>();
    for (let part = 0; part < parts; part++) {
      const some = zones.slice(part * size, (part + 1) * size);
      const config = ['server:', '  rundir: /tmp', 'database:', `  storage: ${release}/.check/db-${part}`, renderZoneList(some, `${release}/zones`)].join('\n');
      files.set(`.check/check-${part}.conf`, config);
    }
    return { files, argv: ['sh', '-c', CHECK, 'ruche-knot-check', release] };
  }

  verdict(result: CommandResult, units: RenderedUnit[]): CheckVerdict {
    const byResource = new Map<string, string>();
    if (result.exitCode === 0) return { byResource, general: null };
    const byZone = new Map(units.map((unit) => [(unit.data as ZoneData).name, unit.resource.id]));
    for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
      const match = /\[([^\]]+)\.\] (.*)$/.exec(line);
      const id = match ? byZone.get(match[1]!) : undefined;
      if (id && !byResource.has(id)) byResource.set(id, withoutReleasePath(match![2]!.trim(), this.releasesDir));
    }
    return { byResource, general: byResource.size === 0 ? (result.stderr || result.stdout).trim() : null };
  }

  /**
   * The include line goes into Knot's configuration once, after the first release exists.
   * New or removed zones need `knotc reload` (which loads new zones, not changed ones); zones
   * that changed are reloaded by name, or all at once when there are many (or their names are long).
   */
  activation(change: ActivationChange): Activation {
    const added = new Set(change.added);
    const zones = change.changed.filter((unit) => !added.has(unit)).map((unit) => (unit.data as ZoneData).name);
    // The zone list also changes when a zone leaves without being deleted (it moved to another server).
    const listChanged = change.force || change.added.length > 0 || change.removed.length > 0 || (change.sharedFilesChanged ?? []).includes('knot.conf');
    // (Named on the command line, which over SSH is one argument of at most 128 KiB: 1,000 names
    // of the longest kind would not fit.)
    const scope = change.force || zones.length > 1000 || zones.reduce((bytes, zone) => bytes + zone.length + 3, 0) > 64 * 1024 ? 'all' : 'listed';
    return { argv: ['sh', '-c', ACTIVATE, 'ruche-knot-activate', INCLUDE_LINE, listChanged ? 'reload' : 'keep', scope, ...(scope === 'listed' ? zones : [])] };
  }
}

/**
 * Told where the server listens, knotc does not parse the whole configuration first (a quarter
 * of a second with 10,000 zones, at every call).
 */
const KNOTC = `knotc() { if [ -S /run/knot/knot.sock ]; then command knotc -s /run/knot/knot.sock "$@"; else command knotc "$@"; fi; }`;

/** Set while a move of the layout is live and Knot has not yet read the new paths. */
const RELOAD_PENDING = '.reload-pending';

/**
 * Makes the releases folder; finishes a move of the layout that went live without Knot's reload;
 * prints the zones whose file is in the live `zones/` itself.
 */
const FLAT_ZONES = `${KNOTC}
mkdir -p -- "$1" || exit 1
if [ -e "$1/${RELOAD_PENDING}" ]; then knotc -b reload >/dev/null && rm -f -- "$1/${RELOAD_PENDING}" || exit 1; fi
cd -P -- "$2/zones" 2>/dev/null || exit 0
for file in *.zone; do if [ -f "$file" ]; then printf '%s\\n' "\${file%.zone}"; fi; done`;

/** The move to subfolders (see prepare): the zone list names the new paths, then Knot reads them. */
const ZONE_LIST_TO_SUBFOLDERS = `awk 'NR == FNR { folder[$2] = $1; next }
  /^ *file: .*\\/zones\\/[^\\/]+[.]zone$/ {
    zone = $0; sub(/.*\\/zones\\//, "", zone); sub(/[.]zone$/, "", zone)
    if (zone in folder) sub(/\\/zones\\/[^\\/]+[.]zone$/, "/zones/" folder[zone] "/" zone ".zone")
  }
  { print }' "$release/.layout" "$release/knot.conf" > "$release/knot.conf.new"
mv -f -- "$release/knot.conf.new" "$release/knot.conf"`;

/** Zone checks run side by side in at most this many parts, of at least this many zones each. */
const CHECK_PARTS = 4;
const CHECK_PART_MIN = 1000;

/**
 * Every part's `knotc zone-check` at once, the output of each kept apart; the verdict reads them
 * all, one part after another, and the check fails if any part failed.
 */
const CHECK = `cd -- "$1/.check" || exit 1
rc=0; pids=
for conf in check-*.conf; do
  knotc -c "$conf" zone-check > "$conf.out" 2>&1 &
  pids="$pids $!"
done
# A part killed by a signal prints nothing: say so, the verdict must not read silence as a pass.
for pid in $pids; do wait "$pid" || { status=$?; rc=1; echo "ruche-knot-check: a part of the check exited with status $status" >&2; }; done
cat -- check-*.conf.out
cd / && rm -rf -- "$1/.check"
exit $rc`;

/**
 * Knot loads zones after `reload` returns: "ready" must mean served, so wait until every zone
 * in the serials file is served with at least its serial.
 */
const ACTIVATE = `set -e
grep -qxF -- "$1" /etc/knot/knot.conf || printf '\\n%s\\n' "$1" >> /etc/knot/knot.conf
mode=$2; scope=$3; shift 3
${KNOTC}
[ "$mode" != reload ] || knotc -b reload >/dev/null
if [ "$scope" = all ]; then knotc -b zone-reload >/dev/null; elif [ $# -gt 0 ]; then knotc -b zone-reload "$@" >/dev/null; fi
# The status of the zones waited for only (a server holds 10,000: listing them all at every
# look cost a record change most of its time), or of all when that is most of them.
set -f
set -- $(awk '{ print $1 }' ${LIVE}/serials)
set +f
[ $# -le 1000 ] || set --
# A minute by the clock, not a count of looks: each look starts knotc, slow on a busy server.
end=$(($(date +%s) + 60))
while :; do
  knotc zone-status "$@" 2>/dev/null | awk -v list=${LIVE}/serials '
    BEGIN { while ((getline line < list) > 0) { split(line, f, " "); want[f[1]] = f[2]; n++ } }
    match($0, /^\\[[^]]+\\]/) {
      zone = substr($0, 2, RLENGTH - 3)
      if ((zone in want) && match($0, /serial: [0-9]+/) && substr($0, RSTART + 8, RLENGTH - 8) + 0 >= want[zone] + 0) served++
    }
    END { exit served >= n ? 0 : 1 }' && exit 0
  [ "$(date +%s)" -lt "$end" ] || break
  sleep 0.05
done
echo "Knot did not serve every zone with its new serial within a minute" >&2
exit 1`;

interface ZoneData {
  name: string;
  serial: number;
}
