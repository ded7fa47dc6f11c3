import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestContext, SecretBox } from '@ruche/core';
import { DesiredStateReader } from '@ruche/hosting';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

/**
 * What hosting keeps for mail and hands the mail and DNS drivers: DKIM keys made by Ruche,
 * SPF and DMARC defaults the client may edit, the records to add where DNS is served elsewhere,
 * a mailbox that also forwards.
 */
let api: TestApi;
let admin: Caller;
let servers: Awaited<ReturnType<typeof makeServers>>;
let a: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  servers = await makeServers(admin);
  a = await makeHostingClient(api, admin);
});
afterAll(() => api?.close());

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);

describe('a domain with mail', () => {
  it('starts with SPF and DMARC records the client may edit; one without mail does not', async () => {
    const withMail = await makeDomain(a.caller, a.organization.id);
    const records = (await a.caller.get(`/api/v1/domains/${withMail.id}/records`)).body.data as Array<{ id: string; type: string; name: string; value: string }>;
    expect(records.filter((record) => record.type === 'TXT').map((record) => [record.name, record.value]).sort()).toEqual([
      ['@', 'v=spf1 mx ~all'],
      ['_dmarc', 'v=DMARC1; p=none'],
    ]);
    const spf = records.find((record) => record.value.startsWith('v=spf1'))!;
    expect((await a.caller.patch(`/api/v1/domains/${withMail.id}/records/${spf.id}`, { value: 'v=spf1 mx include:_spf.example.net -all' })).status).toBe(200);

    const without = (await a.caller.post('/api/v1/domains', { organizationId: a.organization.id, name: `nomail-${Date.now()}.org`, mailEnabled: false })).body;
    expect(((await a.caller.get(`/api/v1/domains/${without.id}/records`)).body.data as Array<{ type: string }>).filter((record) => record.type === 'TXT')).toEqual([]);
    // Turning mail on adds them, unless the client wrote their own.
    expect((await a.caller.patch(`/api/v1/domains/${without.id}`, { mailEnabled: true })).status).toBe(200);
    expect(((await a.caller.get(`/api/v1/domains/${without.id}/records`)).body.data as Array<{ type: string }>).filter((record) => record.type === 'TXT')).toHaveLength(2);
  });

  it('gets a DKIM key with its first address, published in its zone and shown among the records to add', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    const before = (await a.caller.get(`/api/v1/domains/${domain.id}/mail-records`)).body;
    expect(before.records.map((record: { purpose: string }) => record.purpose)).toEqual(['mx', 'spf', 'dmarc']);
    const serial = (await a.caller.get(`/api/v1/domains/${domain.id}`)).body.serial;

    const mailbox = await a.caller.post('/api/v1/mailboxes', { organizationId: a.organization.id, address: `info@${domain.name}`, password: 'mailbox-password-1', quotaMb: 100 });
    expect(mailbox.status, JSON.stringify(mailbox.body)).toBe(201);
    await a.caller.post('/api/v1/aliases', { organizationId: a.organization.id, address: `contact@${domain.name}`, destinations: [`info@${domain.name}`] });
    const [key, ...more] = await api.db.query(`SELECT selector, private_key_sealed, public_key FROM dkim_keys WHERE domain_id = $1`, [domain.id]);
    expect(more).toEqual([]);
    expect(key.selector).toMatch(/^ruche\d{6}$/);
    expect(key.private_key_sealed).not.toMatch(/PRIVATE KEY/);
    const pem = api.app.get(SecretBox).open(key.private_key_sealed);
    expect(createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('base64')).toBe(key.public_key);

    // Published by the DNS driver: in the zone's desired state, with a new serial.
    expect((await a.caller.get(`/api/v1/domains/${domain.id}`)).body.serial).toBeGreaterThan(serial);
    const zones = await system(() => api.app.get(DesiredStateReader).zones(servers.dns.id));
    const zone = zones.find((candidate) => candidate.name === domain.name)!;
    expect(zone.records).toContainEqual({ type: 'TXT', name: `${key.selector}._domainkey`, value: `v=DKIM1; k=rsa; p=${key.public_key}`, ttl: 3600, priority: null });

    const records = (await a.caller.get(`/api/v1/domains/${domain.id}/mail-records`)).body;
    expect(records).toEqual({
      domain: domain.name,
      mailEnabled: true,
      records: [
        { purpose: 'mx', type: 'MX', name: '@', fqdn: domain.name, value: 'mail.coop.example', priority: 10, inZone: true },
        { purpose: 'spf', type: 'TXT', name: '@', fqdn: domain.name, value: 'v=spf1 mx ~all', priority: null, inZone: true },
        { purpose: 'dmarc', type: 'TXT', name: '_dmarc', fqdn: `_dmarc.${domain.name}`, value: 'v=DMARC1; p=none', priority: null, inZone: true },
        { purpose: 'dkim', type: 'TXT', name: `${key.selector}._domainkey`, fqdn: `${key.selector}._domainkey.${domain.name}`, value: `v=DKIM1; k=rsa; p=${key.public_key}`, priority: null, inZone: true },
      ],
    });
    expect(JSON.stringify(records)).not.toMatch(/PRIVATE/);
    // The key's name is Ruche's: the client cannot put another record beside it.
    const clash = await a.caller.post(`/api/v1/domains/${domain.id}/records`, { type: 'TXT', name: `${key.selector}._domainkey`, value: 'v=DKIM1; p=' });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'record_reserved']);

    // The mail driver reads the key, opened, for the server the addresses are on.
    const mail = await system(() => api.app.get(DesiredStateReader).mail(servers.mail.id));
    expect(mail.domains.find((entry) => entry.name === domain.name)).toEqual({ name: domain.name, dkim: { selector: key.selector, privateKeyPem: pem } });
    expect(mail.mailboxes.find((entry) => entry.address === `info@${domain.name}`)).toMatchObject({ quotaMb: 100, forwards: [], passwordHash: expect.stringMatching(/^\{ARGON2ID\}/) });
    expect(mail.aliases.find((entry) => entry.address === `contact@${domain.name}`)).toMatchObject({ destinations: [`info@${domain.name}`] });
  });
});

describe('a mailbox that also forwards', () => {
  it('keeps its copy and sends one to each forward; forwards that would loop back are refused', async () => {
    const domain = await makeDomain(a.caller, a.organization.id);
    const created = await a.caller.post('/api/v1/mailboxes', { organizationId: a.organization.id, address: `copie@${domain.name}`, password: 'mailbox-password-1', quotaMb: 10, forwards: ['moi@example.net'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.forwards).toEqual(['moi@example.net']);
    const alias = await a.caller.post('/api/v1/aliases', { organizationId: a.organization.id, address: `retour@${domain.name}`, destinations: [`copie@${domain.name}`] });
    expect(alias.status).toBe(201);
    const loop = await a.caller.patch(`/api/v1/mailboxes/${created.body.id}`, { forwards: [`retour@${domain.name}`] });
    expect([loop.status, loop.body.error.details?.[0]?.field]).toEqual([422, 'forwards']);
    const self = await a.caller.patch(`/api/v1/mailboxes/${created.body.id}`, { forwards: [`copie@${domain.name}`] });
    expect(self.status).toBe(422);
    const dup = await a.caller.patch(`/api/v1/mailboxes/${created.body.id}`, { forwards: ['a@example.net', 'a@example.net'] });
    expect(dup.status).toBe(422);
    const changed = await a.caller.patch(`/api/v1/mailboxes/${created.body.id}`, { forwards: [] });
    expect(changed.body).toMatchObject({ forwards: [], phase: 'pending' });
  });
});
