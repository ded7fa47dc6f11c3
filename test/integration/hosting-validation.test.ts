import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

let api: TestApi;
let admin: Caller;
let a: Awaited<ReturnType<typeof makeHostingClient>>;
let b: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  await makeServers(admin);
  a = await makeHostingClient(api, admin, { locale: 'en' });
  b = await makeHostingClient(api, admin, { locale: 'fr' });
  await admin.put(`/api/v1/organizations/${a.organization.id}/quota-overrides`, { domains: 100 });
});
afterAll(() => api?.close());

const addDomain = (caller: Caller, organizationId: string, name: string) => caller.post('/api/v1/domains', { organizationId, name });

describe('odd characters are refused with a 422 naming the field, never cleaned up', () => {
  it('a tab, a newline or an invisible character in a domain name', async () => {
    const before = (await api.db.query('SELECT count(*)::int AS n FROM domains'))[0].n;
    for (const [name, code] of [
      ['new\nline.ca', 'control_character'],
      ['tab\tbed.ca', 'control_character'],
      ['trailing.ca\n', 'control_character'],
      ['zero\u200bwidth.ca', 'name_not_canonical'],
      ['soft\u00adhyphen.ca', 'name_not_canonical'],
      ['ｆｕｌｌwidth.ca', 'name_not_canonical'],
    ] as const) {
      const response = await addDomain(a.caller, a.organization.id, name);
      expect([response.status, response.body.error?.details], JSON.stringify(name)).toEqual([422, [expect.objectContaining({ field: 'name', code })]]);
    }
    expect((await addDomain(a.caller, a.organization.id, 'newline.ca')).status).toBe(201);
    expect((await api.db.query('SELECT count(*)::int AS n FROM domains'))[0].n).toBe(before + 1);
  });

  it('a zone id in an AAAA value, control characters in a record, a quote in a CAA value', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    const records = async () => (await a.caller.get(`/api/v1/domains/${domain.id}/records`)).body.data;
    const before = await records();
    const add = (record: object) => a.caller.post(`/api/v1/domains/${domain.id}/records`, record);
    const cases: Array<[object, string, string]> = [
      [{ type: 'AAAA', name: 'www', value: 'fe80::1%eth0' }, 'value', 'ipv6_invalid'],
      [{ type: 'A', name: 'w\tw', value: '192.0.2.1' }, 'name', 'control_character'],
      [{ type: 'TXT', name: '@', value: '"part one"\n"part two"' }, 'value', 'control_character'],
      [{ type: 'CAA', name: '@', value: '0 issue letsencrypt.org;"x"' }, 'value', 'caa_value_invalid'],
      [{ type: 'CAA', name: '@', value: '0 issue "letsencrypt.org;"x"' }, 'value', 'caa_value_invalid'],
    ];
    for (const [record, field, code] of cases) {
      const response = await add(record);
      expect([response.status, response.body.error?.details], JSON.stringify(record)).toEqual([422, [expect.objectContaining({ field, code })]]);
    }
    expect(await records()).toEqual(before);
  });

  it('a redirect the web server could not write', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    for (const [redirectTo, code] of [
      ['https://example.org/café', 'redirect_not_ascii'],
      ['https://example.org/a`b', 'redirect_not_ascii'],
      ['https://example.org/$host', 'redirect_not_ascii'],
      ['https://user:secret@example.org/', 'redirect_invalid'],
      ['ftp://example.org/', 'redirect_invalid'],
    ]) {
      const response = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [`r.${domain.name}`], redirectTo });
      expect([response.status, response.body.error?.details], redirectTo).toEqual([422, [expect.objectContaining({ field: 'redirectTo', code })]]);
    }
    expect((await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [`r.${domain.name}`], redirectTo: 'https://example.org/caf%C3%A9' })).status).toBe(201);
  });

  it('NUL in any text, and control characters in names, people and tokens', async () => {
    const cases: Array<[Caller, string, string, object, string]> = [
      [a.caller, 'POST', '/api/v1/tokens', { name: 'my\u0000token', scopes: ['hosting:read'], organizationId: a.organization.id }, 'name'],
      [a.caller, 'POST', '/api/v1/tokens', { name: 'line\nbreak', scopes: ['hosting:read'], organizationId: a.organization.id }, 'name'],
      [a.caller, 'PATCH', '/api/v1/auth/me', { displayName: 'Ada\u0000' }, 'displayName'],
      [a.caller, 'PATCH', '/api/v1/auth/me', { displayName: 'Ada\rLovelace' }, 'displayName'],
      [admin, 'POST', '/api/v1/organizations', { name: 'Co\u0007op', locale: 'fr' }, 'name'],
      [api.anonymous, 'POST', '/api/v1/auth/login', { email: 'admin@ruche.localhost\u0000', password: 'x' }, 'email'],
      [a.caller, 'POST', '/api/v1/domains', { organizationId: a.organization.id, name: 'nul\u0000.ca' }, 'name'],
    ];
    for (const [caller, method, url, body, field] of cases) {
      const response = await caller.request(method, url, body);
      expect([response.status, response.body.error?.code, response.body.error?.details?.[0]?.field], `${method} ${url} ${JSON.stringify(body)}`).toEqual([422, 'validation_failed', field]);
    }
    expect((await api.db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE name LIKE 'my%' OR name LIKE 'line%'`))[0].n).toBe(0);
  });
});

describe('domain names through the API', () => {
  it('store Unicode and punycode forms, whichever is sent, lowercased and without the trailing dot', async () => {
    const unicode = await addDomain(a.caller, a.organization.id, 'Épicerie-Solidaire.QC.CA.');
    expect(unicode.status).toBe(201);
    expect(unicode.body).toMatchObject({ name: 'xn--picerie-solidaire-9sb.qc.ca', unicodeName: 'épicerie-solidaire.qc.ca' });
    const punycode = await addDomain(b.caller, b.organization.id, 'XN--PICERIE-SOLIDAIRE-9SB.qc.ca');
    expect(punycode.status).toBe(409);
    expect(punycode.body.error.code).toBe('domain_taken');
  });

  it('accept 63-character labels and 253-character names, and refuse one more', async () => {
    const label63 = `${'a'.repeat(63)}.org`;
    expect((await addDomain(a.caller, a.organization.id, label63)).status).toBe(201);
    const label64 = await addDomain(a.caller, a.organization.id, `${'b'.repeat(64)}.org`);
    expect(label64.status).toBe(422);
    expect(label64.body.error.details).toEqual([{ field: 'name', code: 'label_too_long', message: 'Each part of a name has at most 63 characters.' }]);
    const name253 = `${'c'.repeat(61)}.${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(59)}.org`;
    expect((await addDomain(a.caller, a.organization.id, name253)).status).toBe(201);
    const name254 = await addDomain(a.caller, a.organization.id, `g${name253}`);
    expect(name254.body.error.details[0].code).toBe('name_too_long');
  });

  it('refuse wildcards, public suffixes, unknown extensions and addresses, in the caller’s language', async () => {
    const cases: Array<[string, string]> = [
      ['*.example.org', 'wildcard_not_allowed'],
      ['qc.ca', 'public_suffix'],
      ['example.invalidtld', 'unknown_tld'],
      ['192.0.2.1', 'numeric_tld'],
      ['exa_mple.org', 'label_invalid'],
      ['localhost', 'single_label'],
    ];
    for (const [name, code] of cases) {
      const response = await addDomain(b.caller, b.organization.id, name);
      expect(response.status, name).toBe(422);
      expect(response.body.error.details[0].code, name).toBe(code);
    }
    const french = await addDomain(b.caller, b.organization.id, 'qc.ca');
    expect(french.body.error.details[0].message).toBe('C’est un suffixe public (comme qc.ca), pas un domaine qu’on peut détenir.');
  });

  it('let a client add subdomains of their own domains only, without telling who holds a name', async () => {
    await addDomain(a.caller, a.organization.id, 'parent-a.org');
    expect((await addDomain(a.caller, a.organization.id, 'blog.parent-a.org')).status).toBe(201);
    const foreignChild = await addDomain(b.caller, b.organization.id, 'shop.parent-a.org');
    expect(foreignChild.status).toBe(409);
    expect(foreignChild.body.error.code).toBe('domain_taken');
    expect(JSON.stringify(foreignChild.body)).not.toContain(a.organization.id);
    // Nor the parent of another organisation's domain.
    await addDomain(b.caller, b.organization.id, 'deep.parent-b.org');
    expect((await addDomain(a.caller, a.organization.id, 'parent-b.org')).status).toBe(409);
  });
});

describe('DNS records through the API', () => {
  it('refuse a CNAME beside other records, and other records beside a CNAME', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'A', name: 'app', value: '192.0.2.7' });
    const cname = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'CNAME', name: 'app', value: 'elsewhere.example.net' });
    expect(cname.status).toBe(409);
    expect(cname.body.error).toMatchObject({ code: 'cname_conflict' });
    await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'CNAME', name: 'docs', value: 'pages.example.net.' });
    const beside = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'TXT', name: 'docs', value: 'hello' });
    expect(beside.status).toBe(409);
    // The default `www` CNAME blocks an A at www too.
    expect((await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'A', name: 'www', value: '192.0.2.8' })).status).toBe(409);
  });

  it("keep a delegated name to its NS records and glue, and say why in the caller's language", async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    expect((await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'NS', name: 'lab', value: `ns1.lab.${domain.name}` })).status).toBe(201);
    expect((await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'A', name: 'ns1.lab', value: '192.0.2.53' })).status).toBe(201);
    const hidden = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'TXT', name: 'wiki.lab', value: 'never served' }, { headers: { 'accept-language': 'en' } });
    expect(hidden.status).toBe(409);
    expect(hidden.body.error.code).toBe('delegation_conflict');
    expect(hidden.body.error.message).toMatch(/“wiki.lab” is at or below a name delegated to other name servers/);
  });

  it('keep quoted TXT values whole, and split long ones only when rendering', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    const dkim = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;
    const quoted = `"${dkim.slice(0, 200)}" "${dkim.slice(200)}"`;
    const response = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'TXT', name: 'mail._domainkey', value: quoted });
    expect(response.status).toBe(201);
    expect(response.body.value).toBe(dkim);

    // A text that itself starts and ends with quotes keeps them when only its TTL changes.
    const literal = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'TXT', name: 'quote', value: '"\\"as typed\\""' });
    expect(literal.body.value).toBe('"as typed"');
    const retimed = await a.caller.patch(`/api/v1/domains/${domain.id}/records/${literal.body.id}`, { ttl: 600 });
    expect(retimed.body).toMatchObject({ value: '"as typed"', ttl: 600 });
  });

  it('answer each bad field with its own code', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ type: 'A', name: 'x', value: '300.1.1.1' }, 'value', 'ipv4_invalid'],
      [{ type: 'AAAA', name: 'x', value: '2001:db8::zz' }, 'value', 'ipv6_invalid'],
      [{ type: 'MX', name: '@', value: 'mx.example.net' }, 'priority', 'priority_required'],
      [{ type: 'MX', name: '@', value: '192.0.2.1', priority: 5 }, 'value', 'target_is_ip'],
      [{ type: 'A', name: 'x', value: '192.0.2.1', ttl: 30 }, 'ttl', 'ttl_out_of_range'],
      [{ type: 'CAA', name: '@', value: '0 tbs "x"' }, 'value', 'caa_tag_invalid'],
      [{ type: 'SRV', name: 'sip', value: '1 2 x.org', priority: 1 }, 'name', 'srv_name_invalid'],
      [{ type: 'NS', name: '@', value: 'ns.example.net' }, 'name', 'ns_at_apex'],
      [{ type: 'A', name: 'x.other.org.', value: '192.0.2.1' }, 'name', 'name_outside_zone'],
    ];
    for (const [body, field, code] of cases) {
      const response = await a.caller.post(`/api/v1/domains/${domain.id}/records`, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.error.details[0], JSON.stringify(body)).toMatchObject({ field, code });
    }
    const unknownType = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'PTR', name: 'x', value: 'y.org' });
    expect(unknownType.status).toBe(422);
    expect(unknownType.body.error.details[0].field).toBe('type');
  });
});

describe('across organisations', () => {
  it('refuses mail addresses, host names and grants on another organisation’s domain or databases', async () => {
    const theirs = await makeDomain(b.caller, b.organization.id);
    const mailbox = await a.caller.post('/api/v1/mailboxes', { organizationId: a.organization.id, address: `x@${theirs.name}`, password: 'long-enough-password', quotaMb: 10 });
    expect(mailbox.status).toBe(422);
    expect(mailbox.body.error.details[0].code).toBe('domain_not_yours');
    const site = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [`www.${theirs.name}`] });
    expect(site.status).toBe(422);
    expect(site.body.error.details[0]).toMatchObject({ field: 'hostnames.0', code: 'hostname_not_yours' });
    const database = await b.caller.post('/api/v1/databases', { organizationId: b.organization.id, engine: 'mariadb', name: 'private' });
    const grant = await a.caller.post('/api/v1/database-users', { organizationId: a.organization.id, engine: 'mariadb', name: 'thief', databases: [database.body.id] });
    expect(grant.status).toBe(422);
    const asB = await a.caller.post('/api/v1/domains', { organizationId: b.organization.id, name: 'sneaky.org' });
    expect(asB.status).toBe(404);
  });

  it('keeps a host name to one site in all of Ruche', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    expect((await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [domain.name] })).status).toBe(201);
    const again = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [`www.${domain.name}`, domain.name] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'hostname_taken' });
    expect(await api.db.query(`SELECT 1 FROM site_hostnames WHERE hostname = $1`, [`www.${domain.name}`])).toHaveLength(0);
  });

  it('validates site paths and redirects', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    for (const documentRoot of ['../etc', '/var/www', 'a/../../b', 'has space']) {
      const response = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [domain.name], documentRoot });
      expect(response.status, documentRoot).toBe(422);
      expect(response.body.error.details[0]).toMatchObject({ field: 'documentRoot', code: 'document_root_invalid' });
    }
    for (const redirectTo of ['javascript:alert(1)', 'ftp://x.org', 'https://x.org/"; return 200;', 'https://x.org/$nosuchvar']) {
      const response = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [domain.name], redirectTo });
      expect(response.status, redirectTo).toBe(422);
    }
    const redirect = await a.caller.post('/api/v1/sites', { organizationId: a.organization.id, hostnames: [domain.name], redirectTo: 'https://new-home.example.net/path?x=1' });
    expect(redirect.status).toBe(201);
    expect(redirect.body.redirectTo).toBe('https://new-home.example.net/path?x=1');
  });
});
