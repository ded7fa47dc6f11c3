import net from 'node:net';
import { checkLabels, CONTROL_CHARACTER, NameError, toAsciiName } from '../names/domain-name.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const MIN_TTL = 60;
export const MAX_TTL = 604_800;
export const DEFAULT_TTL = 3600;
const MAX_TXT_LENGTH = 4000;

export interface RecordInput {
  type: RecordType;
  name: string;
  value: string;
  ttl?: number | undefined;
  priority?: number | null | undefined;
}

export interface NormalizedRecord {
  type: RecordType;
  /** `@` for the apex, else relative to the zone, lowercase ASCII. */
  name: string;
  /** Canonical value: names without trailing dot, TXT unquoted, CAA as `flags tag "value"`. */
  value: string;
  ttl: number;
  priority: number | null;
}

/** A refused field: `problem` has a message in the hosting catalogues (`validation.<problem>`). */
export class RecordError extends Error {
  constructor(
    readonly field: 'name' | 'value' | 'ttl' | 'priority' | 'type',
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/**
 * Checks one record against the DNS rules for its type and answers its canonical form, which
 * the zone renderer accepts by construction: the last step is the very check it makes.
 */
export function normalizeRecord(input: RecordInput, zone: string): NormalizedRecord {
  // Refused, not cleaned: a tab or newline would otherwise vanish in trimming or splitting.
  if (CONTROL_CHARACTER.test(input.name)) throw new RecordError('name', 'control_character');
  if (CONTROL_CHARACTER.test(input.value)) throw new RecordError('value', 'control_character');
  const name = normalizeOwner(input.name, zone);
  const ttl = input.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < MIN_TTL || ttl > MAX_TTL) throw new RecordError('ttl', 'ttl_out_of_range');
  const needsPriority = input.type === 'MX' || input.type === 'SRV';
  const priority = input.priority ?? null;
  if (needsPriority && priority === null) throw new RecordError('priority', 'priority_required');
  if (!needsPriority && priority !== null) throw new RecordError('priority', 'priority_not_allowed');
  if (priority !== null && (!Number.isInteger(priority) || priority < 0 || priority > 65535)) {
    throw new RecordError('priority', 'priority_out_of_range');
  }
  const value = normalizeValue(input.type, name, input.value.trim(), zone);
  const record = { type: input.type, name, value, ttl, priority };
  const problem = storedRecordProblem(record, zone);
  if (problem) throw new RecordError(problem.field, problem.problem);
  return record;
}

/** Why a stored record cannot go into a zone file, or null. */
export interface StoredRecordProblem {
  field: RecordError['field'];
  problem: string;
}

const IPV6_CANONICAL = (value: string) => new URL(`http://[${value}]/`).hostname.slice(1, -1);

function hostProblem(host: string, allowRoot = false): string | null {
  if (allowRoot && host === '.') return null;
  if (net.isIP(host)) return 'target_is_ip';
  if (host !== host.toLowerCase() || !/^[\x21-\x7e]+$/.test(host)) return 'target_invalid';
  try {
    checkLabels(host, { allowUnderscore: true });
    return null;
  } catch (error) {
    if (error instanceof NameError) return 'target_invalid';
    throw error;
  }
}

/**
 * The one rule for a record as stored (canonical form), shared by the API, which refuses what
 * fails it, and the zone renderer, which checks every row again before writing it (the
 * database is not trusted to hold only what the API let in).
 */
export function storedRecordProblem(record: NormalizedRecord, zone: string): StoredRecordProblem | null {
  const { type, name, value, ttl, priority } = record;
  if (!RECORD_TYPES.includes(type)) return { field: 'type', problem: 'type_invalid' };
  if (name !== '@') {
    if (name !== name.toLowerCase() || !/^[\x21-\x7e]+$/.test(name)) return { field: 'name', problem: 'label_invalid' };
    try {
      checkLabels(name, { allowUnderscore: true, allowWildcard: true });
    } catch (error) {
      if (error instanceof NameError) return { field: 'name', problem: error.problem };
      throw error;
    }
    if (name.length + zone.length + 1 > 253) return { field: 'name', problem: 'name_too_long' };
  }
  if (!Number.isInteger(ttl) || ttl < MIN_TTL || ttl > MAX_TTL) return { field: 'ttl', problem: 'ttl_out_of_range' };
  const needsPriority = type === 'MX' || type === 'SRV';
  if (needsPriority !== (priority !== null)) return { field: 'priority', problem: needsPriority ? 'priority_required' : 'priority_not_allowed' };
  if (priority !== null && (!Number.isInteger(priority) || priority < 0 || priority > 65535)) return { field: 'priority', problem: 'priority_out_of_range' };
  const valueProblem = (problem: string | null) => (problem ? { field: 'value' as const, problem } : null);
  switch (type) {
    case 'A':
      return valueProblem(net.isIPv4(value) ? null : 'ipv4_invalid');
    case 'AAAA':
      return valueProblem(net.isIPv6(value) && !value.includes('%') && IPV6_CANONICAL(value) === value ? null : 'ipv6_invalid');
    case 'CNAME':
    case 'NS':
    case 'MX':
      return valueProblem(hostProblem(value));
    case 'TXT':
      if (value.length === 0) return valueProblem('txt_empty');
      if (value.length > MAX_TXT_LENGTH) return valueProblem('txt_too_long');
      return valueProblem(/^[\x20-\x7e]*$/.test(value) ? null : 'txt_invalid_char');
    case 'SRV': {
      const match = /^(\d{1,5}) (\d{1,5}) (\S+)$/.exec(value);
      if (!match || Number(match[1]) > 65535 || Number(match[2]) > 65535 || String(Number(match[1])) !== match[1] || String(Number(match[2])) !== match[2]) {
        return valueProblem('srv_value_invalid');
      }
      return valueProblem(hostProblem(match[3]!, true) ? 'srv_value_invalid' : null);
    }
    case 'CAA': {
      const match = /^(\d{1,3}) (issue|issuewild|iodef) "([^"\\]*)"$/.exec(value);
      if (!match || Number(match[1]) > 255 || String(Number(match[1])) !== match[1]) return valueProblem('caa_value_invalid');
      return valueProblem(caaContentProblem(match[2]!, match[3]!));
    }
  }
}

/** What the value part of a CAA record may hold, per tag (RFC 8659), within printable ASCII. */
function caaContentProblem(tag: string, content: string): string | null {
  if (!/^[\x20-\x7e]*$/.test(content) || content.includes('"') || content.includes('\\')) return 'caa_value_invalid';
  if (tag === 'iodef') return /^(mailto:[^\s@]+@[^\s@]+|https?:\/\/\S+)$/.test(content) ? null : 'caa_value_invalid';
  return /^(;|[a-z0-9.-]+(\s*;.*)?)$/i.test(content) ? null : 'caa_value_invalid';
}

function normalizeOwner(raw: string, zone: string): string {
  let name = raw.trim().toLowerCase();
  if (name === '' || name === '@' || name === `${zone}.`) return '@';
  if (name.endsWith('.')) {
    // Fully qualified: it must be inside this zone.
    const absolute = name.slice(0, -1);
    if (absolute === zone) return '@';
    if (!absolute.endsWith(`.${zone}`)) throw new RecordError('name', 'name_outside_zone');
    name = absolute.slice(0, -zone.length - 1);
  }
  try {
    const ascii = /^[\x21-\x7e]+$/.test(name) ? name : toAsciiName(name);
    checkLabels(ascii, { allowUnderscore: true, allowWildcard: true });
    if (ascii.length + zone.length + 1 > 253) throw new NameError('name_too_long');
    return ascii;
  } catch (error) {
    if (error instanceof NameError) throw new RecordError('name', error.problem);
    throw error;
  }
}

/** A host name given as a record's target: absolute, with or without trailing dot; `@` is the apex. */
function normalizeTarget(raw: string, zone: string, allowRoot = false): string {
  if (raw === '@') return zone;
  if (allowRoot && raw === '.') return '.';
  if (net.isIP(raw)) throw new RecordError('value', 'target_is_ip');
  try {
    const ascii = toAsciiName(raw);
    checkLabels(ascii, { allowUnderscore: true });
    return ascii;
  } catch (error) {
    if (error instanceof NameError) throw new RecordError('value', 'target_invalid');
    throw error;
  }
}

function normalizeValue(type: RecordType, name: string, value: string, zone: string): string {
  switch (type) {
    case 'A':
      if (!net.isIPv4(value)) throw new RecordError('value', 'ipv4_invalid');
      return value;
    case 'AAAA':
      // A zone id (fe80::1%eth0) names an interface of one machine: it has no place in DNS.
      if (!net.isIPv6(value) || value.includes('%')) throw new RecordError('value', 'ipv6_invalid');
      // The URL parser prints the canonical (RFC 5952) form.
      return IPV6_CANONICAL(value);
    case 'CNAME': {
      if (name === '@') throw new RecordError('name', 'cname_at_apex');
      const target = normalizeTarget(value, zone);
      if (target === (name === '@' ? zone : `${name}.${zone}`)) throw new RecordError('value', 'cname_to_itself');
      return target;
    }
    case 'MX':
    case 'NS':
      if (type === 'NS' && name === '@') throw new RecordError('name', 'ns_at_apex');
      return normalizeTarget(value, zone);
    case 'TXT':
      return normalizeTxt(value);
    case 'SRV':
      return normalizeSrv(name, value, zone);
    case 'CAA':
      return normalizeCaa(value);
  }
}

/**
 * TXT values are stored unquoted. A value typed with quotes, or as several quoted strings
 * (`"v=DKIM1; k=rsa; " "p=MIGf…"`), is joined back into one; rendering splits it again.
 */
export function normalizeTxt(value: string): string {
  let text = value;
  const quoted = /^"((?:[^"\\]|\\.)*)"(?:\s+"((?:[^"\\]|\\.)*)")*$/;
  if (quoted.test(text)) {
    text = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.replace(/\\(.)/g, '$1')).join('');
  }
  if (text.length === 0) throw new RecordError('value', 'txt_empty');
  if (text.length > MAX_TXT_LENGTH) throw new RecordError('value', 'txt_too_long');
  if (!/^[\x20-\x7e]*$/.test(text)) throw new RecordError('value', 'txt_invalid_char');
  return text;
}

function normalizeSrv(name: string, value: string, zone: string): string {
  const labels = name.split('.');
  if (labels.length < 2 || !labels[0]!.startsWith('_') || !/^_(tcp|udp|tls|sctp)$/.test(labels[1]!)) {
    throw new RecordError('name', 'srv_name_invalid');
  }
  const parts = value.split(/\s+/);
  if (parts.length !== 3) throw new RecordError('value', 'srv_value_invalid');
  const [weight, port, target] = parts as [string, string, string];
  for (const number of [weight, port]) {
    if (!/^\d{1,5}$/.test(number) || Number(number) > 65535) throw new RecordError('value', 'srv_value_invalid');
  }
  return `${Number(weight)} ${Number(port)} ${normalizeTarget(target, zone, true)}`;
}

function normalizeCaa(value: string): string {
  const match = /^(\d{1,3})\s+([A-Za-z0-9]+)\s+(?:"([^"]*)"|([^\s"]+))$/.exec(value);
  if (!match) throw new RecordError('value', 'caa_value_invalid');
  const flags = Number(match[1]);
  const tag = match[2]!.toLowerCase();
  const content = match[3] ?? match[4] ?? '';
  if (flags > 255) throw new RecordError('value', 'caa_value_invalid');
  if (!['issue', 'issuewild', 'iodef'].includes(tag)) throw new RecordError('value', 'caa_tag_invalid');
  const problem = caaContentProblem(tag, content);
  if (problem) throw new RecordError('value', problem);
  return `${flags} ${tag} "${content}"`;
}

export interface ExistingRecord {
  id: string;
  type: RecordType;
  name: string;
  value: string;
}

/** `name` is `cut` or a name below it (relative names, `@` the apex). */
const atOrBelow = (name: string, cut: string) => name === cut || name.endsWith(`.${cut}`);
/** Below a delegation, only addresses (glue for its name servers) belong in the parent zone. */
const isGlue = (type: RecordType) => type === 'A' || type === 'AAAA';

/**
 * Zone-level rules a single record cannot check alone: a CNAME owns its name (RFC 1034
 * §3.6.2); a delegation (NS below the apex) owns its name and everything below it but glue
 * addresses (RFC 1034 §4.2.1: data there would never be served); and the same record cannot
 * be there twice. Returns the problem, or null.
 */
export function zoneConflict(record: NormalizedRecord, existing: readonly ExistingRecord[], replacingId?: string): string | null {
  const kept = existing.filter((candidate) => candidate.id !== replacingId);
  const others = kept.filter((candidate) => candidate.name === record.name);
  if (record.type === 'CNAME' && others.length > 0) return 'cname_conflict';
  if (others.some((candidate) => candidate.type === 'CNAME')) return 'cname_conflict';
  const cuts = new Set(kept.filter((candidate) => candidate.type === 'NS').map((candidate) => candidate.name));
  if (record.type === 'NS') {
    if (others.some((candidate) => candidate.type !== 'NS')) return 'delegation_conflict';
    if (kept.some((candidate) => candidate.name !== record.name && atOrBelow(candidate.name, record.name) && !isGlue(candidate.type))) return 'delegation_conflict';
    if ([...cuts].some((cut) => cut !== record.name && atOrBelow(record.name, cut))) return 'delegation_conflict';
  } else if ([...cuts].some((cut) => record.name === cut || (atOrBelow(record.name, cut) && !isGlue(record.type)))) {
    return 'delegation_conflict';
  }
  if (others.some((candidate) => candidate.type === record.type && candidate.value === record.value)) return 'record_duplicate';
  return null;
}

/** Splits TXT text into the 255-byte character-strings a zone file needs, quoted and escaped. */
export function txtChunks(text: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 255) chunks.push(text.slice(i, i + 255));
  return chunks.map((chunk) => `"${chunk.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
}
