import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi({ RUCHE_BODY_LIMIT_BYTES: '10000' });
  admin = await api.admin();
});
afterAll(() => api?.close());

const countOrganizations = async () => (await api.db.query('SELECT count(*)::int AS n FROM organizations'))[0].n as number;

function expectErrorShape(body: any, code: string) {
  expect(body).toEqual({ error: { code, message: expect.any(String), requestId: expect.any(String), ...(body.error.details ? { details: body.error.details } : {}) } });
  expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|node_modules|SELECT |INSERT /);
}

describe('errors', () => {
  it('speak the language of Accept-Language', async () => {
    const fr = await api.anonymous.get('/api/v1/organizations', { headers: { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' } });
    const en = await api.anonymous.get('/api/v1/organizations', { headers: { 'accept-language': 'en-CA' } });
    expectErrorShape(fr.body, 'unauthenticated');
    expect(fr.body.error.message).toBe('Connectez-vous ou envoyez un jeton d’API valide.');
    expect(en.body.error.message).toBe('Sign in or send a valid API token.');
    const preferred = await api.anonymous.get('/api/v1/organizations', { headers: { 'accept-language': 'de, en;q=0.4, fr;q=0.8' } });
    expect(preferred.body.error.message).toMatch(/^Connectez-vous/);
  });

  it("speak the signed-in person's own language over the header", async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id, { locale: 'fr' });
    await client.caller.patch('/api/v1/auth/me', { locale: 'fr' });
    const response = await client.caller.get('/api/v1/organizations/01a20000-0000-7000-8000-000000000000', { headers: { 'accept-language': 'en' } });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe('Cette ressource n’existe pas.');
  });

  it('list every bad field, in the caller’s language', async () => {
    const org = await makeOrganization(admin, { name: 'Unchanged' });
    const client = await makeClient(api, admin, org.id, { locale: 'fr' });
    const response = await client.caller.patch(`/api/v1/organizations/${org.id}`, { name: 42, locale: 'de' });
    expect(response.status).toBe(422);
    expectErrorShape(response.body, 'validation_failed');
    expect(response.body.error.message).toBe('Certains champs sont invalides; voyez le détail.');
    const fields = response.body.error.details.map((detail: { field: string }) => detail.field).sort();
    expect(fields).toEqual(['locale', 'name']);
    expect(response.body.error.details.find((d: { field: string }) => d.field === 'name').message).toMatch(/attendu/i);
    const english = await admin.patch(`/api/v1/organizations/${org.id}`, { name: 42 });
    expect(english.body.error.details[0].message).toMatch(/expected string/);
    expect((await admin.get(`/api/v1/organizations/${org.id}`)).body.name).toBe('Unchanged');
  });

  it('refuse missing fields and unknown fields, writing nothing', async () => {
    const before = await countOrganizations();
    const missing = await admin.post('/api/v1/organizations', { name: 'No locale' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'locale' })]);
    const unknown = await admin.post('/api/v1/organizations', { name: 'X', locale: 'fr', isAdmin: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'isAdmin', code: 'unknown_field' })]);
    expect(await countOrganizations()).toBe(before);
  });

  it('answer 400 to malformed JSON, an empty body, or a body that is not an object', async () => {
    const before = await countOrganizations();
    for (const raw of ['{"name": "x", ', '', '[1,2]', '"just a string"', 'null']) {
      const response = await admin.post('/api/v1/organizations', undefined, { raw, headers: { 'content-type': 'application/json' } });
      expect(response.status, raw).toBe(400);
      expectErrorShape(response.body, 'invalid_request');
    }
    expect(await countOrganizations()).toBe(before);
  });

  it('answer 413 to an oversized body', async () => {
    const before = await countOrganizations();
    const response = await admin.post('/api/v1/organizations', { name: 'x'.repeat(20_000), locale: 'fr' });
    expect(response.status).toBe(413);
    expectErrorShape(response.body, 'payload_too_large');
    expect(response.body.error.message).toContain('10000');
    expect(await countOrganizations()).toBe(before);
  });

  it('answer 404 not_found to unknown routes and to malformed ids', async () => {
    const route = await admin.get('/api/v1/no-such-thing');
    expect(route.status).toBe(404);
    expectErrorShape(route.body, 'not_found');
    const id = await admin.get('/api/v1/organizations/not-an-id');
    expect(id.status).toBe(404);
    expectErrorShape(id.body, 'not_found');
  });

  it('carry the request id that the answer header carries', async () => {
    const response = await api.anonymous.get('/api/v1/organizations', { headers: { 'x-request-id': 'my-trace-42' } });
    expect(response.headers['x-request-id']).toBe('my-trace-42');
    expect(response.body.error.requestId).toBe('my-trace-42');
  });

  it('turn a database failure into a 500 without leaking SQL', async () => {
    await api.db.query(`ALTER TABLE organizations RENAME COLUMN name TO name_hidden`);
    try {
      const response = await admin.get('/api/v1/organizations');
      expect(response.status).toBe(500);
      expectErrorShape(response.body, 'internal_error');
      expect(JSON.stringify(response.body)).not.toContain('name_hidden');
    } finally {
      await api.db.query(`ALTER TABLE organizations RENAME COLUMN name_hidden TO name`);
    }
  });
});
