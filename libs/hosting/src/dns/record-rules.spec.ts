import { describe, expect, it } from 'vitest';
import { normalizeRecord, RecordError, txtChunks, zoneConflict, type RecordInput } from './record-rules.js';

const zone = 'example.org';
const check = (input: RecordInput) => {
  try {
    return normalizeRecord(input, zone);
  } catch (error) {
    if (error instanceof RecordError) return `${error.field}:${error.problem}`;
    throw error;
  }
};

describe('record owner names', () => {
  it('take @, relative names, and absolute names inside the zone', () => {
    expect(check({ type: 'A', name: '@', value: '192.0.2.1' })).toMatchObject({ name: '@', ttl: 3600 });
    expect(check({ type: 'A', name: 'WWW', value: '192.0.2.1' })).toMatchObject({ name: 'www' });
    expect(check({ type: 'A', name: 'www.example.org.', value: '192.0.2.1' })).toMatchObject({ name: 'www' });
    expect(check({ type: 'A', name: 'example.org.', value: '192.0.2.1' })).toMatchObject({ name: '@' });
    expect(check({ type: 'A', name: '*', value: '192.0.2.1' })).toMatchObject({ name: '*' });
    expect(check({ type: 'A', name: '*.dev', value: '192.0.2.1' })).toMatchObject({ name: '*.dev' });
    expect(check({ type: 'TXT', name: '_dmarc', value: 'v=DMARC1; p=none' })).toMatchObject({ name: '_dmarc' });
  });

  it('refuse names outside the zone, bad labels and misplaced wildcards', () => {
    expect(check({ type: 'A', name: 'www.example.com.', value: '192.0.2.1' })).toBe('name:name_outside_zone');
    expect(check({ type: 'A', name: 'a..b', value: '192.0.2.1' })).toBe('name:label_empty');
    expect(check({ type: 'A', name: 'a.*', value: '192.0.2.1' })).toBe('name:wildcard_not_allowed');
    expect(check({ type: 'A', name: 'x'.repeat(64), value: '192.0.2.1' })).toBe('name:label_too_long');
    expect(check({ type: 'A', name: '-x', value: '192.0.2.1' })).toBe('name:label_invalid');
    expect(check({ type: 'A', name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}`, value: '192.0.2.1' })).toBe('name:name_too_long');
  });
});

describe('record values', () => {
  it('check IPv4 and IPv6 syntax, and print IPv6 canonically', () => {
    expect(check({ type: 'A', name: '@', value: '256.1.1.1' })).toBe('value:ipv4_invalid');
    expect(check({ type: 'A', name: '@', value: '01.2.3.4' })).toBe('value:ipv4_invalid');
    expect(check({ type: 'A', name: '@', value: '::1' })).toBe('value:ipv4_invalid');
    expect(check({ type: 'AAAA', name: '@', value: '2001:DB8:0:0:0:0:0:1' })).toMatchObject({ value: '2001:db8::1' });
    expect(check({ type: 'AAAA', name: '@', value: '192.0.2.1' })).toBe('value:ipv6_invalid');
  });

  it('check CNAME placement and targets', () => {
    expect(check({ type: 'CNAME', name: 'www', value: 'Example.org.' })).toMatchObject({ value: 'example.org' });
    expect(check({ type: 'CNAME', name: 'www', value: '@' })).toMatchObject({ value: 'example.org' });
    expect(check({ type: 'CNAME', name: '@', value: 'other.net' })).toBe('name:cname_at_apex');
    expect(check({ type: 'CNAME', name: 'www', value: 'www.example.org' })).toBe('value:cname_to_itself');
    expect(check({ type: 'CNAME', name: 'www', value: '192.0.2.1' })).toBe('value:target_is_ip');
    expect(check({ type: 'CNAME', name: 'www', value: 'bad_host!' })).toBe('value:target_invalid');
  });

  it('need a priority for MX and SRV only, within bounds, and names as MX targets', () => {
    expect(check({ type: 'MX', name: '@', value: 'mail.example.org', priority: 10 })).toMatchObject({ priority: 10, value: 'mail.example.org' });
    expect(check({ type: 'MX', name: '@', value: 'mail.example.org' })).toBe('priority:priority_required');
    expect(check({ type: 'MX', name: '@', value: 'mail.example.org', priority: 70000 })).toBe('priority:priority_out_of_range');
    expect(check({ type: 'A', name: '@', value: '192.0.2.1', priority: 5 })).toBe('priority:priority_not_allowed');
    expect(check({ type: 'MX', name: '@', value: '192.0.2.25', priority: 10 })).toBe('value:target_is_ip');
  });

  it('keep TTLs between a minute and a week', () => {
    expect(check({ type: 'A', name: '@', value: '192.0.2.1', ttl: 60 })).toMatchObject({ ttl: 60 });
    expect(check({ type: 'A', name: '@', value: '192.0.2.1', ttl: 604800 })).toMatchObject({ ttl: 604800 });
    expect(check({ type: 'A', name: '@', value: '192.0.2.1', ttl: 59 })).toBe('ttl:ttl_out_of_range');
    expect(check({ type: 'A', name: '@', value: '192.0.2.1', ttl: 604801 })).toBe('ttl:ttl_out_of_range');
  });

  it('unquote TXT values, joining quoted pieces, and refuse control characters', () => {
    expect(check({ type: 'TXT', name: '@', value: '"v=spf1 mx -all"' })).toMatchObject({ value: 'v=spf1 mx -all' });
    expect(check({ type: 'TXT', name: '@', value: '"v=DKIM1; k=rsa; " "p=MIGfMA0"' })).toMatchObject({ value: 'v=DKIM1; k=rsa; p=MIGfMA0' });
    expect(check({ type: 'TXT', name: '@', value: 'say "hi"' })).toMatchObject({ value: 'say "hi"' });
    expect(check({ type: 'TXT', name: '@', value: '"with \\"escaped\\" quotes"' })).toMatchObject({ value: 'with "escaped" quotes' });
    expect(check({ type: 'TXT', name: '@', value: 'bell\u0007' })).toBe('value:control_character');
    expect(check({ type: 'TXT', name: '@', value: 'café' })).toBe('value:txt_invalid_char');
    expect(check({ type: 'TXT', name: '@', value: '""' })).toBe('value:txt_empty');
    expect(check({ type: 'TXT', name: '@', value: 'x'.repeat(4001) })).toBe('value:txt_too_long');
  });

  it('check SRV names and values', () => {
    expect(check({ type: 'SRV', name: '_sip._tcp', value: '5 5060 sip.example.org.', priority: 10 })).toMatchObject({ value: '5 5060 sip.example.org' });
    expect(check({ type: 'SRV', name: 'sip', value: '5 5060 sip.example.org', priority: 10 })).toBe('name:srv_name_invalid');
    expect(check({ type: 'SRV', name: '_sip._tcp', value: '5 99999 sip.example.org', priority: 10 })).toBe('value:srv_value_invalid');
    expect(check({ type: 'SRV', name: '_sip._tcp', value: '0 0 .', priority: 0 })).toMatchObject({ value: '0 0 .' });
  });

  it('check CAA flags, tags and values', () => {
    expect(check({ type: 'CAA', name: '@', value: '0 issue "letsencrypt.org"' })).toMatchObject({ value: '0 issue "letsencrypt.org"' });
    expect(check({ type: 'CAA', name: '@', value: '128 ISSUEWILD ;' })).toMatchObject({ value: '128 issuewild ";"' });
    expect(check({ type: 'CAA', name: '@', value: '0 iodef "mailto:security@example.org"' })).toMatchObject({ type: 'CAA' });
    expect(check({ type: 'CAA', name: '@', value: '0 tbs "x"' })).toBe('value:caa_tag_invalid');
    expect(check({ type: 'CAA', name: '@', value: '300 issue "ca.example"' })).toBe('value:caa_value_invalid');
    expect(check({ type: 'CAA', name: '@', value: '0 iodef "ftp://x"' })).toBe('value:caa_value_invalid');
    // A trailing backslash would escape the closing quote in the zone file.
    expect(check({ type: 'CAA', name: '@', value: '0 issue "ca.example\\"' })).toBe('value:caa_value_invalid');
  });

  it('allow NS only for delegations below the apex', () => {
    expect(check({ type: 'NS', name: 'lab', value: 'ns1.lab-hosting.net' })).toMatchObject({ name: 'lab' });
    expect(check({ type: 'NS', name: '@', value: 'ns1.other.net' })).toBe('name:ns_at_apex');
  });
});

describe('zone rules', () => {
  const existing = [
    { id: '1', type: 'A' as const, name: 'www', value: '192.0.2.1' },
    { id: '2', type: 'CNAME' as const, name: 'blog', value: 'example.net' },
  ];
  it('keep a CNAME alone at its name', () => {
    expect(zoneConflict(normalizeRecord({ type: 'CNAME', name: 'www', value: 'x.net' }, zone), existing)).toBe('cname_conflict');
    expect(zoneConflict(normalizeRecord({ type: 'TXT', name: 'blog', value: 'hello' }, zone), existing)).toBe('cname_conflict');
    expect(zoneConflict(normalizeRecord({ type: 'CNAME', name: 'www', value: 'x.net' }, zone), existing, '1')).toBeNull();
  });
  it('keep a delegation to its NS records, with only glue addresses below it', () => {
    const delegated = [...existing, { id: '3', type: 'NS' as const, name: 'lab', value: 'ns1.lab.example.org' }, { id: '4', type: 'A' as const, name: 'ns1.lab', value: '192.0.2.53' }];
    const conflict = (input: RecordInput, replacing?: string) => zoneConflict(normalizeRecord(input, zone), delegated, replacing);
    expect(conflict({ type: 'NS', name: 'lab', value: 'ns2.lab.example.org' })).toBeNull();
    expect(conflict({ type: 'AAAA', name: 'ns2.lab', value: '2001:db8::53' })).toBeNull();
    expect(conflict({ type: 'A', name: 'lab', value: '192.0.2.9' })).toBe('delegation_conflict');
    expect(conflict({ type: 'TXT', name: 'wiki.lab', value: 'hidden' })).toBe('delegation_conflict');
    expect(conflict({ type: 'MX', name: 'lab', value: 'mx.example.net', priority: 10 })).toBe('delegation_conflict');
    expect(conflict({ type: 'NS', name: 'deeper.lab', value: 'ns.example.net' })).toBe('delegation_conflict');
    // Delegating a name that already holds data, or has data below it, is refused too.
    expect(conflict({ type: 'NS', name: 'www', value: 'ns.example.net' })).toBe('delegation_conflict');
    expect(zoneConflict(normalizeRecord({ type: 'NS', name: 'dev', value: 'ns.example.net' }, zone), [{ id: '9', type: 'TXT', name: 'api.dev', value: 'x' }])).toBe('delegation_conflict');
    // Names beside the delegation are not below it.
    expect(conflict({ type: 'TXT', name: 'notlab', value: 'fine' })).toBeNull();
    expect(conflict({ type: 'TXT', name: '@', value: 'fine' })).toBeNull();
    // Replacing the NS record itself by something else is checked against the rest.
    expect(conflict({ type: 'TXT', name: 'lab', value: 'now data' }, '3')).toBeNull();
  });

  it('refuse the same record twice', () => {
    expect(zoneConflict(normalizeRecord({ type: 'A', name: 'www', value: '192.0.2.1' }, zone), existing)).toBe('record_duplicate');
    expect(zoneConflict(normalizeRecord({ type: 'A', name: 'www', value: '192.0.2.2' }, zone), existing)).toBeNull();
  });
});

describe('txtChunks', () => {
  it('splits long text into quoted 255-character strings, escaping quotes and backslashes', () => {
    const chunks = txtChunks('a'.repeat(300));
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toBe(`"${'a'.repeat(255)}"`);
    expect(txtChunks('say "hi" \\o/')).toEqual(['"say \\"hi\\" \\\\o/"']);
  });
});
