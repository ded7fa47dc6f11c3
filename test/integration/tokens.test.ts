import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeStaff, makeToken } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

describe('API tokens', () => {
  it('are shown once, stored hashed, and listed without their secret', async () => {
    const created = await admin.post('/api/v1/tokens', { name: 'deploy script', scopes: ['hosting:read'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^rch_[A-Za-z0-9_-]{40,}$/);
    const listed = await admin.get('/api/v1/tokens');
    const entry = listed.body.data.find((token: { id: string }) => token.id === created.body.id);
    expect(entry).toMatchObject({ name: 'deploy script', scopes: ['hosting:read'], organizationId: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    const [row] = await api.db.query('SELECT token_hash FROM api_tokens WHERE id = $1', [created.body.id]);
    expect(row.token_hash).not.toContain(created.body.token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('authenticate as Bearer without a CSRF token', async () => {
    const { caller } = await makeToken(api, admin, { scopes: ['organizations:admin', 'hosting:read'] });
    const created = await caller.post('/api/v1/organizations', { name: 'Made by a script', locale: 'en' });
    expect(created.status).toBe(201);
  });

  it('only allow what their scopes say', async () => {
    const { caller } = await makeToken(api, admin, { scopes: ['hosting:read'] });
    expect((await caller.get('/api/v1/organizations')).status).toBe(200);
    const refused = await caller.post('/api/v1/organizations', { name: 'Nope', locale: 'fr' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'missing_scope' });
    expect(refused.body.error.message).toContain('organizations:admin');
    expect((await caller.get('/api/v1/audit-events')).status).toBe(403);
  });

  it('limited to one organisation see nothing of the others', async () => {
    const mine = await makeOrganization(admin);
    const other = await makeOrganization(admin);
    const { caller } = await makeToken(api, admin, { scopes: ['hosting:read', 'organizations:admin'], organizationId: mine.id });
    expect((await caller.get(`/api/v1/organizations/${mine.id}`)).status).toBe(200);
    expect((await caller.get(`/api/v1/organizations/${other.id}`)).status).toBe(404);
    const listed = await caller.get('/api/v1/organizations');
    expect(listed.body.data.map((org: { id: string }) => org.id)).toEqual([mine.id]);
    // Even with organizations:admin, an organisation-bound token cannot create organisations.
    expect((await caller.post('/api/v1/organizations', { name: 'x', locale: 'fr' })).status).toBe(403);
  });

  it('stop working when revoked', async () => {
    const { id, caller } = await makeToken(api, admin, { scopes: ['hosting:read'] });
    expect((await caller.get('/api/v1/organizations')).status).toBe(200);
    expect((await admin.delete(`/api/v1/tokens/${id}`)).status).toBe(204);
    const after = await caller.get('/api/v1/organizations');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
    const listed = await admin.get('/api/v1/tokens');
    expect(listed.body.data.find((token: { id: string }) => token.id === id).revokedAt).not.toBeNull();
  });

  it('revoke themselves (a command line signing out), which a session cannot do that way', async () => {
    const { id, caller } = await makeToken(api, admin, { scopes: ['hosting:read'] });
    expect((await caller.delete('/api/v1/tokens/current')).status).toBe(204);
    expect((await caller.get('/api/v1/organizations')).status).toBe(401);
    expect((await admin.get('/api/v1/tokens')).body.data.find((token: { id: string }) => token.id === id).revokedAt).not.toBeNull();
    const bySession = await admin.delete('/api/v1/tokens/current');
    expect([bySession.status, bySession.body.error.code]).toEqual([403, 'token_required']);
  });

  it('may carry what /auth/me says their owner holds in every organisation', async () => {
    const sysadmin = await makeStaff(api, admin, ['sysadmin']);
    const me = await sysadmin.caller.get('/api/v1/auth/me');
    expect(me.body.scopes).toEqual(expect.arrayContaining(['hosting:read', 'provisioning:admin', 'users:admin']));
    expect(me.body.scopes).not.toContain('accounting:write');
    const organization = await makeOrganization(admin);
    const client = await makeClient(api, admin, organization.id);
    expect((await client.caller.get('/api/v1/auth/me')).body.scopes).toEqual([]);
  });

  it('stop working when expired', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { id, caller } = await makeToken(api, admin, { scopes: ['hosting:read'], expiresAt });
    expect((await caller.get('/api/v1/organizations')).status).toBe(200);
    await api.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    expect((await caller.get('/api/v1/organizations')).status).toBe(401);
  });

  it('cannot be created already expired, or with an unknown scope', async () => {
    const past = await admin.post('/api/v1/tokens', { name: 'old', scopes: ['hosting:read'], expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.error.details).toEqual([expect.objectContaining({ field: 'expiresAt', code: 'in_past' })]);
    const unknown = await admin.post('/api/v1/tokens', { name: 'x', scopes: ['root:everything'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].field).toBe('scopes.0');
  });

  it('never hold more than their owner', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id, { role: 'member' });
    const staffScope = await client.caller.post('/api/v1/tokens', { name: 'x', scopes: ['provisioning:admin'], organizationId: org.id });
    expect(staffScope.status).toBe(422);
    expect(staffScope.body.error.code).toBe('scope_not_allowed');
    const unbound = await client.caller.post('/api/v1/tokens', { name: 'x', scopes: ['hosting:read'] });
    expect(unbound.status).toBe(422);
    expect(unbound.body.error.code).toBe('organization_required');
    const elsewhere = await makeOrganization(admin);
    // An organisation they are not in does not exist for them.
    const foreign = await client.caller.post('/api/v1/tokens', { name: 'x', scopes: ['hosting:read'], organizationId: elsewhere.id });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'not_found']);
    const ok = await client.caller.post('/api/v1/tokens', { name: 'x', scopes: ['hosting:read', 'hosting:write'], organizationId: org.id });
    expect(ok.status).toBe(201);
  });

  it('lose what their owner loses', async () => {
    const staff = await makeStaff(api, admin, ['sysadmin']);
    const { caller } = await makeToken(api, staff.caller, { scopes: ['users:admin'] });
    expect((await caller.get('/api/v1/users')).status).toBe(200);
    await admin.patch(`/api/v1/users/${staff.userId}`, { staffRoles: ['accountant'] });
    expect((await caller.get('/api/v1/users')).status).toBe(403);
  });

  it('cannot mint other tokens', async () => {
    const { caller } = await makeToken(api, admin, { scopes: ['hosting:read', 'users:admin'] });
    const response = await caller.post('/api/v1/tokens', { name: 'child', scopes: ['hosting:read'] });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('session_required');
  });

  it('of someone else cannot be revoked', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const { id } = await makeToken(api, admin, { scopes: ['hosting:read'] });
    expect((await client.caller.delete(`/api/v1/tokens/${id}`)).status).toBe(404);
  });

  it('that are malformed get 401, even next to a valid session cookie', async () => {
    const session = await api.admin();
    expect((await session.get('/api/v1/organizations')).status).toBe(200);
    const response = await session.get('/api/v1/organizations', { headers: { authorization: 'Bearer rch_not-a-real-token' } });
    expect(response.status).toBe(401);
    expect((await bearer(api, 'rch_not-a-real-token').get('/api/v1/organizations')).status).toBe(401);
  });
});
