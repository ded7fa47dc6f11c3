import type { MessageId } from '../../i18n/i18n';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface RecordDraft {
  type: RecordType;
  name: string;
  value: string;
  ttl: string;
  priority: string;
}

export type RecordProblems = Partial<Record<'name' | 'value' | 'ttl' | 'priority', MessageId>>;

const LABEL = '[\\p{L}\\p{N}_](?:[\\p{L}\\p{N}_-]{0,61}[\\p{L}\\p{N}_])?';
const OWNER = new RegExp(`^(?:@|\\*|(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*\\.?)$`, 'u');
const HOST = new RegExp(`^(?:@|${LABEL}(?:\\.${LABEL})*\\.?)$`, 'u');
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9a-fA-F:.]+$/.test(value)) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/**
 * The checks a person can be told about while typing; the API re-checks everything and its
 * answer (422, per field) is the one that counts.
 */
export function checkRecord(draft: RecordDraft): RecordProblems {
  const problems: RecordProblems = {};
  const name = draft.name.trim();
  const value = draft.value.trim();
  if (name !== '' && !OWNER.test(name)) problems.name = 'dns.check.name';
  if (draft.ttl.trim() !== '') {
    const ttl = Number(draft.ttl);
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 604_800) problems.ttl = 'dns.check.ttl';
  }
  if (draft.type === 'MX' || draft.type === 'SRV') {
    const priority = Number(draft.priority);
    if (draft.priority.trim() === '') problems.priority = 'dns.check.priorityRequired';
    else if (!Number.isInteger(priority) || priority < 0 || priority > 65_535) problems.priority = 'dns.check.priority';
  }
  if (value === '') {
    problems.value = 'dns.check.required';
    return problems;
  }
  switch (draft.type) {
    case 'A':
      if (!IPV4.test(value)) problems.value = 'dns.check.ipv4';
      break;
    case 'AAAA':
      if (!isIpv6(value)) problems.value = 'dns.check.ipv6';
      break;
    case 'CNAME':
    case 'NS':
    case 'MX':
      if (!HOST.test(value)) problems.value = 'dns.check.host';
      break;
    case 'SRV':
      if (!/^\d{1,5}\s+\d{1,5}\s+\S+$/.test(value)) problems.value = 'dns.check.srv';
      break;
    case 'CAA':
      if (!/^\d{1,3}\s+(issue|issuewild|iodef)\s+\S.*$/i.test(value)) problems.value = 'dns.check.caa';
      break;
    case 'TXT':
      if (value.length > 4000) problems.value = 'dns.check.txt';
      break;
  }
  return problems;
}
