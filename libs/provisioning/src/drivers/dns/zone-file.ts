import { storedRecordProblem, txtChunks, type RecordType } from '@ruche/hosting';
import { subfolderPath } from '../../transports/connection.js';
import { MANAGED_HEADER } from '../driver.js';

export interface ZoneRecord {
  type: RecordType;
  name: string;
  value: string;
  ttl: number;
  priority: number | null;
}

export interface ZoneSettings {
  nameservers: string[];
  hostmaster: string;
}

/** A value the driver refuses to write into a zone file. */
export class UnsafeRecord extends Error {}

/** For the co-op's own names (SOA, NS from the configuration); records go through hosting's rule. */
const HOST = /^(\.|([a-z0-9_]([a-z0-9_-]*[a-z0-9])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9])?)$/;
const ZONE = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function absolute(host: string): string {
  if (!HOST.test(host)) throw new UnsafeRecord(`target ${JSON.stringify(host)} is not a host name`);
  return host === '.' ? '.' : `${host}.`;
}

/** The record's data in master-file syntax; the record has passed hosting's stored-record rule. */
function rdata(record: ZoneRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
    case 'CAA':
      return record.value;
    case 'CNAME':
    case 'NS':
      return absolute(record.value);
    case 'MX':
      return `${record.priority} ${absolute(record.value)}`;
    case 'SRV': {
      const [weight, port, target] = record.value.split(' ');
      return `${record.priority} ${weight} ${port} ${absolute(target!)}`;
    }
    case 'TXT':
      return txtChunks(record.value).join(' ');
  }
}

/**
 * A zone in RFC 1035 master-file form: SOA and the co-op's name servers, then the client's
 * records in a stable order (same records, same bytes: the content hash is meaningful).
 */
export function renderZone(zone: string, serial: number, records: readonly ZoneRecord[], settings: ZoneSettings): string {
  if (!ZONE.test(zone)) throw new UnsafeRecord(`zone name ${JSON.stringify(zone)} is not valid`);
  if (!Number.isSafeInteger(serial) || serial < 0 || serial > 4294967295) throw new UnsafeRecord('serial out of range');
  const [primary] = settings.nameservers;
  const lines = [
    `; ${MANAGED_HEADER}`,
    `$ORIGIN ${zone}.`,
    '$TTL 3600',
    `@ 3600 IN SOA ${absolute(primary!)} ${absolute(settings.hostmaster)} ${serial} 3600 900 1209600 300`,
    ...settings.nameservers.map((ns) => `@ 3600 IN NS ${absolute(ns)}`),
  ];
  const sorted = [...records].sort((a, b) => `${a.name} ${a.type} ${a.value}`.localeCompare(`${b.name} ${b.type} ${b.value}`));
  for (const record of sorted) {
    const problem = storedRecordProblem(record, zone);
    if (problem) throw new UnsafeRecord(`${record.type} record ${JSON.stringify(record.name)}: ${problem.field} ${JSON.stringify(record[problem.field])} is not valid (${problem.problem})`);
    lines.push(`${record.name} ${record.ttl} IN ${record.type} ${rdata(record)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A zone's file under the zones folder, in its subfolder (see subfolderPath): `3f/example.org.zone`. */
export function zoneFilePath(zone: string): string {
  return subfolderPath(zone, `${zone}.zone`);
}

/** The zone list Knot includes, each zone read from its file and never written back. */
export function renderZoneList(zones: readonly string[], zonesDir: string): string {
  const entries = zones.flatMap((zone) => [
    `  - domain: ${zone}`,
    `    file: ${zonesDir}/${zoneFilePath(zone)}`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
  ]);
  return [`# ${MANAGED_HEADER}`, ...(zones.length > 0 ? ['zone:', ...entries] : []), ''].join('\n');
}
