import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeStaff } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

const countNamed = async (name: string) => (await api.db.query('SELECT count(*)::int AS n FROM organizations WHERE name = $1', [name]))[0].n as number;

describe('Idempotency-Key on creates', () => {
  it('replays the first answer instead of creating twice', async () => {
    const headers = { 'idempotency-key': 'create-org-1' };
    const first = await admin.post('/api/v1/organizations', { name: 'Idempotent', locale: 'fr' }, { headers });
    const second = await admin.post('/api/v1/organizations', { locale: 'fr', name: 'Idempotent' }, { headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countNamed('Idempotent')).toBe(1);
  });

  it('gives one creation for parallel repeats', async () => {
    const headers = { 'idempotency-key': 'parallel-1' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => admin.post('/api/v1/organizations', { name: 'Parallel', locale: 'en' }, { headers })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await countNamed('Parallel')).toBe(1);
  });

  it('refuses the same key with another request', async () => {
    const headers = { 'idempotency-key': 'reused-1' };
    await admin.post('/api/v1/organizations', { name: 'First use', locale: 'fr' }, { headers });
    const reused = await admin.post('/api/v1/organizations', { name: 'Second use', locale: 'fr' }, { headers });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await countNamed('Second use')).toBe(0);
  });

  it('keeps keys apart per caller, and creates anew without a key', async () => {
    const other = await makeStaff(api, admin, ['sysadmin']);
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await admin.post('/api/v1/organizations', { name: 'Per caller', locale: 'fr' }, { headers });
    const theirs = await other.caller.post('/api/v1/organizations', { name: 'Per caller', locale: 'fr' }, { headers });
    expect(theirs.body.id).not.toBe(mine.body.id);
    await admin.post('/api/v1/organizations', { name: 'No key', locale: 'fr' });
    await admin.post('/api/v1/organizations', { name: 'No key', locale: 'fr' });
    expect(await countNamed('No key')).toBe(2);
  });

  it('does not keep a failed attempt: a retry after fixing the input goes through', async () => {
    const headers = { 'idempotency-key': 'retry-after-failure' };
    expect((await admin.post('/api/v1/organizations', { name: 'Retry', locale: 'xx' }, { headers })).status).toBe(422);
    expect((await admin.post('/api/v1/organizations', { name: 'Retry', locale: 'fr' }, { headers: { 'idempotency-key': 'retry-after-failure-2' } })).status).toBe(201);
  });

  it('treats the same key and body sent to another resource as another request', async () => {
    const first = await admin.post('/api/v1/organizations', { name: 'Path A', locale: 'fr' });
    const second = await admin.post('/api/v1/organizations', { name: 'Path B', locale: 'fr' });
    const headers = { 'idempotency-key': 'member-once' };
    const a = await admin.post(`/api/v1/organizations/${first.body.id}/members`, { email: 'same@example.org', role: 'member' }, { headers });
    const b = await admin.post(`/api/v1/organizations/${second.body.id}/members`, { email: 'same@example.org', role: 'member' }, { headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(422);
    expect(b.body.error.code).toBe('idempotency_key_reused');
  });

  it('keeps first answers sealed: a token shown once is not stored in clear', async () => {
    const headers = { 'idempotency-key': 'token-once' };
    const first = await admin.post('/api/v1/tokens', { name: 'sealed', scopes: ['hosting:read'] }, { headers });
    const again = await admin.post('/api/v1/tokens', { name: 'sealed', scopes: ['hosting:read'] }, { headers });
    expect(again.body.token).toBe(first.body.token);
    const rows = await api.db.query(`SELECT row_to_json(k)::text AS line FROM idempotency_keys k`);
    expect(rows.map((row: { line: string }) => row.line).join('\n')).not.toContain(first.body.token);
  });

  it('rejects a malformed key', async () => {
    const response = await admin.post('/api/v1/organizations', { name: 'Bad key', locale: 'fr' }, { headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(response.status).toBe(400);
    expect(await countNamed('Bad key')).toBe(0);
  });
});

describe('cursor pagination', () => {
  it('walks every row once, in a stable order', async () => {
    for (let i = 0; i < 25; i++) await admin.post('/api/v1/organizations', { name: `Page ${i}`, locale: 'fr' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { status: number; body: { data: Array<{ id: string }>; nextCursor: string | null } } = await admin.get(
        `/api/v1/organizations?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(7);
      seen.push(...response.body.data.map((org) => org.id));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);
    const total = (await api.db.query('SELECT count(*)::int AS n FROM organizations'))[0].n;
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
    expect(pages).toBe(Math.ceil(total / 7));
  });

  it('refuses a forged cursor and out-of-range limits', async () => {
    const cursor = await admin.get('/api/v1/organizations?cursor=definitely-not-a-cursor');
    expect(cursor.status).toBe(422);
    expect(cursor.body.error.details[0]).toMatchObject({ field: 'cursor', code: 'invalid_cursor' });
    expect((await admin.get('/api/v1/organizations?limit=0')).status).toBe(422);
    expect((await admin.get('/api/v1/organizations?limit=1000')).status).toBe(422);
    expect((await admin.get('/api/v1/organizations?limit=abc')).status).toBe(422);
  });
});
