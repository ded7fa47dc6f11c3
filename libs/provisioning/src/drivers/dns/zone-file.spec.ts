import { describe, expect, it } from 'vitest';
import { renderZone, renderZoneList, UnsafeRecord, zoneFilePath } from './zone-file.js';

const settings = { nameservers: ['ns1.coop.example', 'ns2.coop.example'], hostmaster: 'hostmaster.coop.example' };

describe('renderZone', () => {
  it('writes SOA, the co-op name servers and the records, in a stable order', () => {
    const zone = renderZone(
      'example.org',
      2026112503,
      [
        { type: 'TXT', name: '@', value: 'v=spf1 mx -all', ttl: 600, priority: null },
        { type: 'MX', name: '@', value: 'mail.coop.example', ttl: 3600, priority: 10 },
        { type: 'A', name: 'www', value: '192.0.2.1', ttl: 3600, priority: null },
        { type: 'SRV', name: '_sip._tcp', value: '5 5060 sip.example.org', ttl: 3600, priority: 0 },
        { type: 'CAA', name: '@', value: '0 issue "letsencrypt.org"', ttl: 3600, priority: null },
      ],
      settings,
    );
    expect(zone).toContain('$ORIGIN example.org.');
    expect(zone).toContain('@ 3600 IN SOA ns1.coop.example. hostmaster.coop.example. 2026112503 3600 900 1209600 300');
    expect(zone).toContain('@ 3600 IN NS ns2.coop.example.');
    expect(zone).toContain('@ 3600 IN MX 10 mail.coop.example.');
    expect(zone).toContain('@ 600 IN TXT "v=spf1 mx -all"');
    expect(zone).toContain('_sip._tcp 3600 IN SRV 0 5 5060 sip.example.org.');
    expect(zone).toMatch(/^; Managed by Ruche/);
    const reordered = renderZone('example.org', 2026112503, [
      { type: 'A', name: 'www', value: '192.0.2.1', ttl: 3600, priority: null },
      { type: 'TXT', name: '@', value: 'v=spf1 mx -all', ttl: 600, priority: null },
      { type: 'MX', name: '@', value: 'mail.coop.example', ttl: 3600, priority: 10 },
      { type: 'SRV', name: '_sip._tcp', value: '5 5060 sip.example.org', ttl: 3600, priority: 0 },
      { type: 'CAA', name: '@', value: '0 issue "letsencrypt.org"', ttl: 3600, priority: null },
    ], settings);
    expect(reordered).toBe(zone);
  });

  it('splits long TXT values into 255-character strings and escapes quotes', () => {
    const zone = renderZone('example.org', 1, [{ type: 'TXT', name: 'k._domainkey', value: `say "x" ${'a'.repeat(300)}`, ttl: 3600, priority: null }], settings);
    expect(zone).toMatch(/k\._domainkey 3600 IN TXT "say \\"x\\" a+" "a+"/);
  });

  it('refuses what the API should never have let in', () => {
    const bad = (record: Partial<Parameters<typeof renderZone>[2][number]>) => () =>
      renderZone('example.org', 1, [{ type: 'A', name: 'x', value: '192.0.2.1', ttl: 3600, priority: null, ...record }], settings);
    expect(bad({ name: 'x\n@ IN NS evil.' })).toThrow(UnsafeRecord);
    expect(bad({ value: '1.2.3.4\nevil A 6.6.6.6' })).toThrow(UnsafeRecord);
    expect(bad({ type: 'CNAME', value: 'x.org. ; comment' })).toThrow(UnsafeRecord);
    expect(bad({ type: 'TXT', value: 'line\nbreak' })).toThrow(UnsafeRecord);
    expect(bad({ type: 'CAA', value: '0 issue "ca.example\\"' })).toThrow(UnsafeRecord);
    expect(() => renderZone('example.org\n', 1, [], settings)).toThrow(UnsafeRecord);
  });
});

describe('renderZoneList', () => {
  it('lists zones for Knot, never written back', () => {
    const list = renderZoneList(['a.org', 'b.org'], '/etc/knot/ruche/zones');
    // Each zone in the subfolder named by its name's SHA-256 (sha256("a.org") = d9…, "b.org" = 8c…).
    expect(list).toContain('  - domain: a.org\n    file: /etc/knot/ruche/zones/d9/a.org.zone\n    zonefile-sync: -1');
    expect(list).toContain('  - domain: b.org\n    file: /etc/knot/ruche/zones/8c/b.org.zone\n');
    expect(renderZoneList([], '/x')).not.toContain('zone:');
  });

  it('spreads zones over 256 subfolders', () => {
    const folders = new Set(Array.from({ length: 10_000 }, (_, n) => zoneFilePath(`zone-${n}.org`).split('/')[0]));
    expect(folders.size).toBe(256);
    for (const folder of folders) expect(folder).toMatch(/^[0-9a-f]{2}$/);
  });
});
