import { describe, expect, it } from 'vitest';
import { checkRecord, type RecordDraft } from './dns-checks';

const draft = (fields: Partial<RecordDraft>): RecordDraft => ({ type: 'A', name: '@', value: '192.0.2.1', ttl: '', priority: '', ...fields });

describe('DNS record checks shown while typing', () => {
  it('accepts well-formed records of each type', () => {
    expect(checkRecord(draft({}))).toEqual({});
    expect(checkRecord(draft({ type: 'AAAA', value: '2001:db8::1' }))).toEqual({});
    expect(checkRecord(draft({ type: 'CNAME', name: 'www', value: 'example.org.' }))).toEqual({});
    expect(checkRecord(draft({ type: 'MX', value: 'mail.example.org', priority: '10' }))).toEqual({});
    expect(checkRecord(draft({ type: 'SRV', name: '_sip._tcp', value: '5 5060 sip.example.org', priority: '0' }))).toEqual({});
    expect(checkRecord(draft({ type: 'CAA', value: '0 issue "letsencrypt.org"' }))).toEqual({});
    expect(checkRecord(draft({ type: 'TXT', value: 'v=spf1 -all' }))).toEqual({});
    expect(checkRecord(draft({ name: 'café', ttl: '300' }))).toEqual({});
    expect(checkRecord(draft({ name: '*.dev' }))).toEqual({});
  });

  it('names the field that is wrong', () => {
    expect(checkRecord(draft({ value: '300.1.1.1' }))).toEqual({ value: 'dns.check.ipv4' });
    expect(checkRecord(draft({ type: 'AAAA', value: '192.0.2.1' }))).toEqual({ value: 'dns.check.ipv6' });
    expect(checkRecord(draft({ name: 'bad name' }))).toEqual({ name: 'dns.check.name' });
    expect(checkRecord(draft({ ttl: '5' }))).toEqual({ ttl: 'dns.check.ttl' });
    expect(checkRecord(draft({ type: 'MX', value: 'mail.example.org' }))).toEqual({ priority: 'dns.check.priorityRequired' });
    expect(checkRecord(draft({ type: 'CNAME', value: 'not a host' }))).toEqual({ value: 'dns.check.host' });
    expect(checkRecord(draft({ value: '' }))).toEqual({ value: 'dns.check.required' });
  });
});
