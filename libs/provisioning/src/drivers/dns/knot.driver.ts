import { Injectable } from '@nestjs/common';
import { TransactionalConnection, type Config } from '@ruche/core';
import type { RecordType, ResourceType, Server } from '@ruche/hosting';
import type { ServerConnection } from '../../transports/connection.js';
import type { ActivationChange, DesiredResource, Rendered, ServiceDriver } from '../driver.js';
import { renderZone, renderZoneList, UnsafeRecord, type ZoneRecord } from './zone-file.js';

interface DomainRow {
  id: string;
  organization_id: string;
  generation: number;
  observed_generation: number;
  attempts: number;
  phase: DesiredResource['phase'];
  name: string;
  serial: string;
  records: Array<{ type: RecordType; name: string; value: string; ttl: number; priority: number | null }>;
}

const LIVE = '/etc/knot/ruche';
const ZONES_DIR = `${LIVE}/zones`;
const INCLUDE_LINE = `include: ${LIVE}/knot.conf`;

/**
 * The DNS driver, for Knot DNS: one zone file per domain and a zone list Knot includes.
 * Zones are checked with `knotc zone-check` against the staged release; after the swap,
 * `knotc reload` when the zone list changed, else `knotc zone-reload` of the changed zones only.
 */
@Injectable()
export class KnotDriver implements ServiceDriver {
  readonly service = 'dns' as const;
  readonly resourceTypes: ResourceType[] = ['domain'];
  readonly liveLink = LIVE;
  readonly releasesDir = '/etc/knot/ruche.releases';

  constructor(private readonly db: TransactionalConnection) {}

  async load(server: Server, config: Config) {
    const rows = await this.db.query<DomainRow>(
      `SELECT d.id, d.organization_id, d.generation, d.observed_generation, d.attempts, d.phase, d.name, d.serial,
              coalesce((SELECT json_agg(json_build_object('type', r.type, 'name', r.name, 'value', r.value, 'ttl', r.ttl, 'priority', r.priority))
                          FROM dns_records r WHERE r.domain_id = d.id), '[]') AS records
         FROM domains d WHERE d.server_id = $1 ORDER BY d.name`,
      [server.id],
    );
    const resources: DesiredResource[] = rows.map((row) => ({
      type: 'domain',
      id: row.id,
      organizationId: row.organization_id,
      generation: row.generation,
      observedGeneration: row.observed_generation,
      phase: row.phase,
      attempts: row.attempts,
      label: row.name,
    }));
    const settings = { nameservers: config.dnsNameservers, hostmaster: config.dnsHostmaster };
    const render = (): Rendered => {
      const rendered: Rendered = {
        units: [],
        // The zone list names exactly the zones in the release.
        shared: (included) => new Map([['knot.conf', renderZoneList(included.map((unit) => unit.data as string), ZONES_DIR)]]),
        refused: [],
      };
      rows.forEach((row, index) => {
        if (row.phase === 'deleting') return;
        try {
          const zone = renderZone(row.name, Number(row.serial), row.records as ZoneRecord[], settings);
          rendered.units.push({ resource: resources[index]!, files: new Map([[`zones/${row.name}.zone`, zone]]), data: row.name });
        } catch (error) {
          if (!(error instanceof UnsafeRecord)) throw error;
          rendered.refused.push({ resource: resources[index]!, message: error.message });
        }
      });
      return rendered;
    };
    return { resources, render };
  }

  async prepare(connection: ServerConnection): Promise<void> {
    await connection.run(['mkdir', '-p', '--', this.releasesDir]);
  }

  async validate(connection: ServerConnection, release: string, rendered: { units: Rendered['units'] }) {
    const byResource = new Map<string, string>();
    if (!connection.runsCommands || rendered.units.length === 0) return { byResource, general: null };
    const zones = rendered.units.map((unit) => unit.data as string);
    // Checked where they are staged: a configuration listing the staged files, used offline.
    const check = ['server:', '  rundir: /tmp', 'database:', `  storage: ${release}/.check`, renderZoneList(zones, `${release}/zones`)].join('\n');
    await connection.writeFiles(release, new Map([['.check/check.conf', check]]));
    const result = await connection.run(['knotc', '-c', `${release}/.check/check.conf`, 'zone-check'], { allowFailure: true, timeoutMs: 300_000 });
    await connection.removeTrees([`${release}/.check`]);
    if (result.exitCode === 0) return { byResource, general: null };
    const byZone = new Map(rendered.units.map((unit) => [unit.data as string, unit.resource.id]));
    for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
      const match = /\[([^\]]+)\.\] (.*)$/.exec(line);
      const id = match ? byZone.get(match[1]!) : undefined;
      if (id && !byResource.has(id)) byResource.set(id, match![2]!.trim());
    }
    return { byResource, general: byResource.size === 0 ? (result.stderr || result.stdout).trim() : null };
  }

  async activate(connection: ServerConnection, change: ActivationChange): Promise<void> {
    // The include line goes into Knot's configuration once, after the first release exists.
    await connection.run(['sh', '-c', 'grep -qxF -- "$2" "$1" || printf "\\n%s\\n" "$2" >> "$1"', 'ruche-include', '/etc/knot/knot.conf', INCLUDE_LINE]);
    if (change.sharedChanged || change.removed.length > 0) {
      await connection.run(['knotc', '-b', 'reload'], { timeoutMs: 300_000 });
      return;
    }
    const zones = change.changed.map((unit) => unit.data as string);
    for (let i = 0; i < zones.length; i += 500) {
      await connection.run(['knotc', '-b', 'zone-reload', ...zones.slice(i, i + 500)], { timeoutMs: 300_000 });
    }
  }
}
