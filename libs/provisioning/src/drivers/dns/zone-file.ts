import { txtChunks, type RecordType } from '@ruche/hosting';
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

const NAME = /^(@|(\*\.)?(_?[a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*(\*|_?[a-z0-9]([a-z0-9-]*[a-z0-9])?))$/;
const HOST = /^(\.|([a-z0-9_]([a-z0-9_-]*[a-z0-9])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9])?)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:.]+$/;
const CAA = /^\d{1,3} (issue|issuewild|iodef) "[\x20-\x21\x23-\x5b\x5d-\x7e]*"$/;
const ZONE = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function absolute(host: string): string {
  if (!HOST.test(host)) throw new UnsafeRecord(`target ${JSON.stringify(host)} is not a host name`);
  return host === '.' ? '.' : `${host}.`;
}

function rdata(record: ZoneRecord): string {
  switch (record.type) {
    case 'A':
      if (!IPV4.test(record.value)) throw new UnsafeRecord(`A value ${JSON.stringify(record.value)} is not IPv4`);
      return record.value;
    case 'AAAA':
      if (!IPV6.test(record.value)) throw new UnsafeRecord(`AAAA value ${JSON.stringify(record.value)} is not IPv6`);
      return record.value;
    case 'CNAME':
    case 'NS':
      return absolute(record.value);
    case 'MX':
      return `${record.priority} ${absolute(record.value)}`;
    case 'SRV': {
      const [weight, port, target] = record.value.split(' ');
      if (!/^\d+$/.test(weight ?? '') || !/^\d+$/.test(port ?? '')) throw new UnsafeRecord('SRV value is not "weight port target"');
      return `${record.priority} ${weight} ${port} ${absolute(target ?? '')}`;
    }
    case 'TXT':
      if (!/^[\x20-\x7e]*$/.test(record.value)) throw new UnsafeRecord('TXT value has characters a zone file cannot hold');
      return txtChunks(record.value).join(' ');
    case 'CAA':
      if (!CAA.test(record.value)) throw new UnsafeRecord(`CAA value ${JSON.stringify(record.value)} is not valid`);
      return record.value;
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
    if (!NAME.test(record.name)) throw new UnsafeRecord(`record name ${JSON.stringify(record.name)} is not valid`);
    if (!Number.isInteger(record.ttl) || record.ttl < 60 || record.ttl > 604800) throw new UnsafeRecord('TTL out of range');
    lines.push(`${record.name} ${record.ttl} IN ${record.type} ${rdata(record)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The zone list Knot includes, each zone read from its file and never written back. */
export function renderZoneList(zones: readonly string[], zonesDir: string): string {
  const entries = zones.flatMap((zone) => [
    `  - domain: ${zone}`,
    `    file: ${zonesDir}/${zone}.zone`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
  ]);
  return [`# ${MANAGED_HEADER}`, ...(zones.length > 0 ? ['zone:', ...entries] : []), ''].join('\n');
}
