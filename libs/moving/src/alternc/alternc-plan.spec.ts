import { describe, expect, it } from 'vitest';
import { dovecotSchemeOf, handMadeLines, nearestPlan, parseZoneLine, planAlterncImport } from './alternc-plan.js';
import type { AlterncSnapshot } from './alternc-snapshot.js';

const snapshot = (): AlterncSnapshot => ({
  accounts: [
    { uid: 2000, login: 'radio', passwordHash: '$2y$10$abcdefghijklmnopqrstuuJ1YQ1oF8Qe6l5nC5Xg1m0y3G5cQe7y6', email: 'Info@Radio.org', enabled: true, displayName: 'Radio', quotas: { dom: 5, mail: 2, mysql: 1, web: 102400 } },
    { uid: 2001, login: 'cafe', passwordHash: '$1$abcdefgh$0123456789abcdefghijkl', email: 'cafe@cafe.org', enabled: true, displayName: null, quotas: {} },
  ],
  domains: [
    {
      uid: 2000,
      name: 'radio.org',
      dnsManaged: true,
      mailManaged: true,
      zoneExtra: '$TTL 3600\n@ IN SOA x. y. 1 2 3 4 5\n;;; END ALTERNC AUTOGENERATE CONFIGURATION\nstudio 600 IN A 198.51.100.7\n_sip._tcp IN SRV 10 5 5060 sip.radio.org.\n@ IN TXT "hand" "made"\nold IN HINFO "x" "y"\n',
    },
    { uid: 2001, name: 'cafe.org', dnsManaged: true, mailManaged: false, zoneExtra: '' },
  ],
  subDomains: [
    { uid: 2000, domain: 'radio.org', sub: '', type: 'VHOST', value: '/www', enable: 'ENABLED', https: 'http' },
    { uid: 2000, domain: 'radio.org', sub: 'blog', type: 'vhost', value: '/blog/', enable: 'ENABLED', https: 'both' },
    { uid: 2000, domain: 'radio.org', sub: 'old', type: 'URL', value: 'https://radio.org/', enable: 'ENABLED', https: 'http' },
    { uid: 2000, domain: 'radio.org', sub: '*', type: 'vhost', value: '/www', enable: 'ENABLED', https: 'http' },
    { uid: 2000, domain: 'radio.org', sub: 'shop', type: 'vhost-ssl', value: '/shop', enable: 'DISABLED', https: '' },
    { uid: 2000, domain: 'radio.org', sub: 'ext', type: 'IP', value: '203.0.113.5', enable: 'ENABLED', https: '' },
    { uid: 2000, domain: 'radio.org', sub: '', type: 'mx', value: 'mx.other.example', enable: 'ENABLED', https: '' },
    { uid: 2000, domain: 'radio.org', sub: '', type: 'defmx', value: 'mx.alternc.example', enable: 'ENABLED', https: '' },
  ],
  addresses: [
    { id: 1, domain: 'radio.org', localPart: 'info', type: '', passwordHash: '{SHA512-CRYPT}$6$salt$hash', enabled: true, mailbox: { path: '/var/mail/alternc/r/radio/info', quotaMb: 100 }, recipients: ['boss@elsewhere.example', ''] },
    { id: 2, domain: 'radio.org', localPart: 'old', type: '', passwordHash: '$1$salt$hash', enabled: true, mailbox: { path: '/var/mail/alternc/r/radio/old', quotaMb: 0 }, recipients: [] },
    { id: 3, domain: 'radio.org', localPart: '', type: 'catchall', passwordHash: null, enabled: true, mailbox: null, recipients: ['info@radio.org'] },
    { id: 4, domain: 'radio.org', localPart: 'nopass', type: '', passwordHash: null, enabled: true, mailbox: { path: '/var/mail/x', quotaMb: 10 }, recipients: [] },
  ],
  databases: [
    { uid: 2000, name: 'radio' },
    { uid: 2000, name: 'radio_wp' },
  ],
  databaseUsers: [
    { uid: 2000, name: 'radio_app', password: 'secret-one', enable: 'ACTIVATED' },
    { uid: 2000, name: '2000_myadm', password: 'x', enable: 'ADMIN' },
  ],
  ftpAccounts: [
    { name: 'radio_web', homedir: '/var/www/alternc/r/radio/www/' },
    { name: 'radio', homedir: '/var/www/alternc/r/radio' },
    // Outside every account's root (AlternC would not make it): not listed.
    { name: 'stray', homedir: '/var/www/alternc/r/radiox' },
  ],
});

const byKey = (items: ReturnType<typeof planAlterncImport>) => new Map(items.map((item) => [item.key, item]));

describe('planAlterncImport', () => {
  it('carries accounts, domains, web hosts in both letter cases, records, mail and databases, and says why for the rest', () => {
    const items = byKey(planAlterncImport(snapshot(), { webIpv4: '192.0.2.10' }));
    expect(items.get('organization:radio')).toMatchObject({ reason: null, spec: { email: 'info@radio.org', quotas: { domains: 5, databases: 2 } } });
    expect(items.get('site:radio.org')).toMatchObject({ reason: null, spec: { documentRoot: 'www', https: false } });
    expect(items.get('site:blog.radio.org')).toMatchObject({ reason: null, spec: { documentRoot: 'blog', https: true } });
    expect(items.get('site:old.radio.org')).toMatchObject({ reason: null, spec: { redirectTo: 'https://radio.org/' } });
    expect(items.get('site:shop.radio.org')).toMatchObject({ reason: 'disabled' });
    expect([...items.values()].find((item) => item.kind === 'site' && item.key.includes('*'))?.reason ?? items.get('site:*.radio.org')?.reason).toBe('wildcard_site');
    // A web host below the zone gets an address pointing at Ruche's web server.
    expect(items.get('dns_record:radio.org:A:blog::192.0.2.10')?.reason).toBeNull();
    expect(items.get('dns_record:radio.org:A:ext::203.0.113.5')?.reason).toBeNull();
    expect(items.get('dns_record:radio.org:MX:@:5:mx.other.example')?.reason).toBeNull();
    expect(items.get('dns_record:radio.org:MX:@:10:mx.alternc.example')?.reason).toBe('replaced_by_ruche');
    // Hand-made records from the zone file, and one of a type Ruche does not hold.
    expect(items.get('dns_record:radio.org:A:studio::198.51.100.7')).toMatchObject({ reason: null, note: 'hand_made', spec: { ttl: 600 } });
    expect(items.get('dns_record:radio.org:SRV:_sip._tcp:10:5 5060 sip.radio.org')?.reason).toBeNull();
    expect(items.get('dns_record:radio.org:TXT:@::"hand" "made"')?.reason).toBeNull();
    expect([...items.values()].find((item) => item.key.includes('HINFO'))?.reason).toBe('record_type_unsupported');
    // Mail: hashes in Dovecot's form, forwards kept, the catch-all as an alias.
    expect(items.get('mailbox:info@radio.org')).toMatchObject({ reason: null, spec: { passwordHash: '{SHA512-CRYPT}$6$salt$hash', forwards: ['boss@elsewhere.example'], quotaMb: 100 } });
    expect(items.get('mailbox:old@radio.org')).toMatchObject({ reason: null, note: 'quota_unlimited', spec: { passwordHash: '{MD5-CRYPT}$1$salt$hash' } });
    expect(items.get('mail_alias:*@radio.org')).toMatchObject({ reason: null, spec: { destinations: ['info@radio.org'] } });
    expect(items.get('mailbox:nopass@radio.org')?.reason).toBe('mail_password_missing');
    // Databases: the one named like the account is renamed; phpMyAdmin's user stays behind.
    expect(items.get('database:radio')).toMatchObject({ reason: null, note: 'renamed', spec: { shortName: 'main' } });
    expect(items.get('database:radio_wp')).toMatchObject({ reason: null, note: null, spec: { shortName: 'wp' } });
    expect(items.get('database_user:radio_app')).toMatchObject({ reason: null, spec: { shortName: 'app', databases: ['main', 'wp'] } });
    expect(items.get('database_user:2000_myadm')?.reason).toBe('panel_user');
  });

  it('notes FTP accounts with their folder in the account’s web space, and carries none', () => {
    const items = byKey(planAlterncImport(snapshot(), { webIpv4: '192.0.2.10' }));
    expect(items.get('ftp_account:radio_web')).toMatchObject({ account: 'radio', reason: 'sftp_not_yet', note: 'folder:/www', spec: { folder: '/www' } });
    expect(items.get('ftp_account:radio')).toMatchObject({ reason: 'sftp_not_yet', note: 'folder:/' });
    expect(items.has('ftp_account:stray')).toBe(false);
  });

  it('keeps to the accounts asked for, organisations first', () => {
    const items = planAlterncImport(snapshot(), { accounts: ['cafe'] });
    expect(items[0]).toMatchObject({ kind: 'organization', key: 'organization:cafe' });
    expect(items.every((item) => item.account === 'cafe')).toBe(true);
    expect(items.map((item) => item.key)).toContain('domain:cafe.org');
  });

  it('is the same plan for the same data (keys are stable, so a second run finds what the first made)', () => {
    expect(planAlterncImport(snapshot(), { webIpv4: '192.0.2.10' })).toEqual(planAlterncImport(snapshot(), { webIpv4: '192.0.2.10' }));
  });
});

describe('zone files and hashes', () => {
  it('reads only what follows AlternC’s generated part, without comments', () => {
    expect(handMadeLines('a\n;;; END ALTERNC AUTOGENERATE CONFIGURATION\n; note\nwww IN A 192.0.2.1 ; web\n\n')).toEqual(['www IN A 192.0.2.1']);
    expect(handMadeLines('no marker\nwww IN A 192.0.2.1')).toEqual([]);
  });

  it('parses owner, TTL, class and type, with absolute names made relative', () => {
    expect(parseZoneLine('mail.radio.org. 300 IN MX 20 mx.radio.org.', 'radio.org', '@').record).toEqual({ domain: 'radio.org', type: 'MX', name: 'mail', value: 'mx.radio.org', ttl: 300, priority: 20 });
    expect(parseZoneLine('  IN A 192.0.2.9', 'radio.org', 'www').record).toMatchObject({ name: 'www', type: 'A' });
  });

  it('gives Dovecot each crypt hash in its scheme, and nothing for what it cannot check', () => {
    expect(dovecotSchemeOf('$6$abc$def')).toBe('{SHA512-CRYPT}$6$abc$def');
    expect(dovecotSchemeOf('$1$abc$def')).toBe('{MD5-CRYPT}$1$abc$def');
    expect(dovecotSchemeOf('{SHA512-CRYPT}$6$abc$def')).toBe('{SHA512-CRYPT}$6$abc$def');
    expect(dovecotSchemeOf('{PLAIN}secret')).toBeNull();
    expect(dovecotSchemeOf('secret')).toBeNull();
    expect(dovecotSchemeOf(null)).toBeNull();
  });
});

describe('nearestPlan', () => {
  const small = { id: 'small', active: true, quotas: { domains: 1, mailboxes: 5, databases: 1 } };
  const medium = { id: 'medium', active: true, quotas: { domains: 5, mailboxes: 20, databases: 3 } };
  const large = { id: 'large', active: true, quotas: { domains: 50, mailboxes: 200, databases: 30 } };
  const retired = { id: 'retired', active: false, quotas: { domains: 5, mailboxes: 20, databases: 3 } };

  it('takes the smallest plan that holds everything, with no override', () => {
    expect(nearestPlan({ domains: 3, mailboxes: 10, databases: 2 }, [large, small, medium, retired])).toEqual({ plan: medium, overrides: {} });
  });

  it('takes the plan short on the fewest meters, and overrides those', () => {
    expect(nearestPlan({ domains: 3, mailboxes: 10, databases: 99 }, [small, medium])).toEqual({ plan: medium, overrides: { databases: 99 } });
  });

  it('overrides everything when no plan is offered', () => {
    expect(nearestPlan({ domains: 2 }, [retired])).toEqual({ plan: null, overrides: { domains: 2 } });
  });
});
