import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeHostingClient, makeOrganization, makeServers, makeStaff, makeToken } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

async function eventsFor(targetId: string) {
  const response = await admin.get(`/api/v1/audit-events?targetId=${targetId}`);
  expect(response.status).toBe(200);
  return response.body.data as Array<Record<string, any>>;
}

describe('audit log', () => {
  it('records who changed what, when, from where, with before and after', async () => {
    const org = await makeOrganization(admin, { name: 'Before' });
    const renamed = await admin.patch(`/api/v1/organizations/${org.id}`, { name: 'After' }, { remoteAddress: '192.0.2.7', headers: { 'x-request-id': 'trace-rename-1' } });
    expect(renamed.status).toBe(200);
    const [update, create] = await eventsFor(org.id);
    expect(update).toMatchObject({
      action: 'organization.update',
      actorType: 'user',
      actorLabel: 'admin@ruche.localhost',
      ip: '192.0.2.7',
      requestId: 'trace-rename-1',
      targetType: 'organization',
      organizationId: org.id,
      before: { name: 'Before', locale: 'fr' },
      after: { name: 'After', locale: 'fr' },
    });
    expect(Date.now() - Date.parse(update!.at)).toBeLessThan(60_000);
    expect(create).toMatchObject({ action: 'organization.create', after: { name: 'Before' } });
  });

  it('names the token when a token acted', async () => {
    const { id, caller } = await makeToken(api, admin, { scopes: ['organizations:admin', 'hosting:read'] });
    const org = await caller.post('/api/v1/organizations', { name: 'By token', locale: 'en' });
    const [event] = await eventsFor(org.body.id);
    expect(event).toMatchObject({ actorType: 'token', actorTokenId: id, actorLabel: 'admin@ruche.localhost' });
  });

  it('never stores secrets: not tokens, not passwords', async () => {
    const { id, token } = await makeToken(api, admin, { scopes: ['hosting:read'] });
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'brand-new-password-9' });
    const all = await api.db.query(`SELECT row_to_json(a)::text AS line FROM audit_events a`);
    const dump = all.map((row: { line: string }) => row.line).join('\n');
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(client.password);
    expect(dump).not.toContain('brand-new-password-9');
    expect(dump).not.toMatch(/\$argon2id\$/);
    expect((await eventsFor(id))[0]).toMatchObject({ action: 'token.create', after: { scopes: ['hosting:read'] } });
  });

  it('records failed sign-ins', async () => {
    await api.anonymous.post('/api/v1/auth/login', { email: 'admin@ruche.localhost', password: 'wrong-password-x' }, { remoteAddress: '198.51.100.4' });
    const response = await admin.get('/api/v1/audit-events?action=auth.login_failed');
    expect(response.body.data[0]).toMatchObject({ action: 'auth.login_failed', ip: '198.51.100.4', after: { email: 'admin@ruche.localhost' } });
  });

  it('filters by actor, organisation and time, newest first, for staff only', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const byOrg = await admin.get(`/api/v1/audit-events?organizationId=${org.id}`);
    // The person's own account is not the organisation's; the invitation and its answer are.
    expect(byOrg.body.data.map((e: { action: string }) => e.action)).toEqual(['invitation.accept', 'invitation.create', 'organization.create']);
    expect(byOrg.body.data.every((e: { organizationId: string }) => e.organizationId === org.id)).toBe(true);
    const ids = byOrg.body.data.map((e: { id: string }) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const future = await admin.get(`/api/v1/audit-events?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body.data).toEqual([]);
    const mine = await admin.get(`/api/v1/audit-events?actorUserId=${client.userId}`);
    expect(mine.body.data.length).toBeGreaterThan(0);
    expect(mine.body.data.every((e: { actorUserId: string }) => e.actorUserId === client.userId)).toBe(true);
    expect((await client.caller.get('/api/v1/audit-events')).status).toBe(403);
    const accountant = await makeStaff(api, admin, ['accountant']);
    expect((await accountant.caller.get('/api/v1/audit-events')).status).toBe(200);
  });

  it('is append-only in the database itself', async () => {
    await expect(api.db.query(`UPDATE audit_events SET action = 'forged'`)).rejects.toThrow(/append-only/);
    await expect(api.db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
  });

  it('has no entry for a change that was refused', async () => {
    const before = await api.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'organization.create'`);
    const refused = await admin.post('/api/v1/organizations', { name: '', locale: 'fr' });
    expect(refused.status).toBe(422);
    const after = await api.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'organization.create'`);
    expect(after[0].n).toBe(before[0].n);
  });

  it("records every change a client makes to their hosting, attributed to them, and never a password", async () => {
    await makeServers(admin);
    const { organization, caller, userId } = await makeHostingClient(api, admin);
    const orgId = organization.id;
    const created = async (path: string, body: object) => {
      const response = await caller.post(path, body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body as { id: string; name?: string };
    };
    const domain = await created('/api/v1/domains', { organizationId: orgId, name: 'audited-coop.org' });
    const record = await created(`/api/v1/domains/${domain.id}/records`, { type: 'A', name: 'radio', value: '192.0.2.44' });
    await caller.patch(`/api/v1/domains/${domain.id}/records/${record.id}`, { value: '192.0.2.45' });
    const site = await created('/api/v1/sites', { organizationId: orgId, hostnames: ['audited-coop.org'] });
    const mailbox = await created('/api/v1/mailboxes', { organizationId: orgId, address: 'info@audited-coop.org', password: 'mailbox-secret-one', quotaMb: 50 });
    await caller.patch(`/api/v1/mailboxes/${mailbox.id}`, { password: 'mailbox-secret-two' });
    const alias = await created('/api/v1/aliases', { organizationId: orgId, address: 'ca@audited-coop.org', destinations: ['info@audited-coop.org'] });
    const database = await created('/api/v1/databases', { organizationId: orgId, engine: 'postgresql', name: 'radio' });
    const user = await created('/api/v1/database-users', { organizationId: orgId, engine: 'postgresql', name: 'app', password: 'database-secret-one', databases: [database.id] });
    await caller.patch(`/api/v1/database-users/${user.id}`, { password: 'database-secret-two' });
    expect((await caller.delete(`/api/v1/aliases/${alias.id}`)).status).toBe(202);

    const events = (await admin.get(`/api/v1/audit-events?organizationId=${orgId}&limit=200`)).body.data as Array<Record<string, any>>;
    const trail = events.filter((event) => event.actorUserId === userId).map((event) => `${event.action} ${event.targetId}`);
    expect(trail.reverse()).toEqual([
      expect.stringMatching(/^invitation\.accept [0-9a-f-]{36}$/),
      `domain.create ${domain.id}`,
      `dns_record.create ${record.id}`,
      `dns_record.update ${record.id}`,
      `site.create ${site.id}`,
      `mailbox.create ${mailbox.id}`,
      `mailbox.update ${mailbox.id}`,
      `mail_alias.create ${alias.id}`,
      `database.create ${database.id}`,
      `database_user.create ${user.id}`,
      `database_user.update ${user.id}`,
      `mail_alias.delete ${alias.id}`,
    ]);
    const recordUpdate = events.find((event) => event.action === 'dns_record.update');
    expect(recordUpdate).toMatchObject({ before: expect.objectContaining({ value: '192.0.2.44' }), after: expect.objectContaining({ value: '192.0.2.45' }) });
    // A password change is recorded as such, without the password or its hash.
    const text = JSON.stringify(events);
    for (const secret of ['mailbox-secret-one', 'mailbox-secret-two', 'database-secret-one', 'database-secret-two', 'ARGON2', 'SCRAM-SHA-256$']) expect(text).not.toContain(secret);
    const [row] = await api.db.query(`SELECT password_hash FROM mailboxes WHERE id = $1`, [mailbox.id]);
    expect(text).not.toContain(row.password_hash);
  });
});
