import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { DnsRecord } from '../dns/dns-record.entity.js';

/** A DKIM selector Ruche makes (`ruche<yyyymm>`), or one stored: a DNS label, nothing else. */
export const DKIM_SELECTOR = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function dkimSelector(now = new Date()): string {
  return `ruche${now.toISOString().slice(0, 7).replace('-', '')}`;
}

/** The owner name of a domain's DKIM record, relative to its zone. */
export function dkimRecordName(selector: string): string {
  return `${selector}._domainkey`;
}

/** The text of the DKIM record (RFC 6376 §3.6.1) for a public key given as base64 SubjectPublicKeyInfo. */
export function dkimRecordValue(publicKey: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(publicKey)) throw new Error('DKIM public key is not base64');
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

/** The public half of a PKCS#8 PEM private key, as the DNS record carries it: the check that a pair belongs together. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The mail records a domain needs, as defaults and as shown for a zone served elsewhere. */
export const DEFAULT_SPF = 'v=spf1 mx ~all';
export const DEFAULT_DMARC = 'v=DMARC1; p=none';

/** The SPF and DMARC records a new domain with mail starts with, unless the zone has its own. */
export function defaultMailRecords(existing: ReadonlyArray<Pick<DnsRecord, 'type' | 'name' | 'value'>>): Array<Pick<DnsRecord, 'type' | 'name' | 'value' | 'priority'>> {
  const records: Array<Pick<DnsRecord, 'type' | 'name' | 'value' | 'priority'>> = [];
  if (!existing.some((record) => record.type === 'TXT' && record.name === '@' && /^v=spf1(\s|$)/i.test(record.value))) {
    records.push({ type: 'TXT', name: '@', value: DEFAULT_SPF, priority: null });
  }
  if (!existing.some((record) => record.type === 'TXT' && record.name === '_dmarc')) {
    records.push({ type: 'TXT', name: '_dmarc', value: DEFAULT_DMARC, priority: null });
  }
  return records;
}
