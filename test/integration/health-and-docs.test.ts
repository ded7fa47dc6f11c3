import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe('the address the launcher prints', () => {
  it('/ answers, on a server with no panel built beside it, a page in French and English that says where the API docs are and how to sign in', async () => {
    const bare = await startTestApi({ RUCHE_PANEL_DIR: api.config.dataDir });
    const response = await bare.anonymous.get('/').finally(() => bare.close());
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('href="/api/docs"');
    expect(response.body).toContain('lang="fr"');
    expect(response.body).toContain('Documentation de l’API');
    expect(response.body).toContain('API documentation');
    expect(response.body).toContain(`${bare.config.publicUrl}/api/v1/auth/login`);
    expect(response.body).not.toMatch(/<script/);
  });
});

describe('operations endpoints', () => {
  it('/health answers while the process lives', async () => {
    expect(await api.anonymous.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('/ready answers 200 when migrated, 503 when a migration is missing', async () => {
    expect(await api.anonymous.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const [last] = await api.db.query(`SELECT id, timestamp, name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`);
    await api.db.query(`DELETE FROM typeorm_migrations WHERE id = $1`, [last.id]);
    try {
      const response = await api.anonymous.get('/ready');
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('service_unavailable');
    } finally {
      await api.db.query(`INSERT INTO typeorm_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]);
    }
  });

  it('/metrics exposes request counts and latency histograms by route and status, and process metrics', async () => {
    await api.anonymous.get('/api/v1/organizations');
    const response = await api.anonymous.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toContain('ruche_http_requests_total{method="GET",route="/api/v1/organizations",status="401"}');
    expect(response.body).toMatch(/ruche_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/api\/v1\/organizations",status="401"\} \d+/);
    expect(response.body).toContain('ruche_process_resident_memory_bytes');
  });
});

describe('API documentation', () => {
  it('/api/openapi.json describes every route with its input schema', async () => {
    const response = await api.anonymous.get('/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/organizations'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['name', 'locale'],
      properties: { name: { type: 'string', maxLength: 200 }, locale: { enum: ['fr', 'en'] } },
      additionalProperties: false,
    });
    expect(create['x-required-scope']).toBe('organizations:admin');
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '401', '422']));
    const list = doc.paths['/api/v1/organizations'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
    expect(doc.paths['/api/v1/organizations/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });

  it('/api/docs serves an interactive page and its assets', async () => {
    const page = await api.anonymous.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui');
    const script = await api.anonymous.get('/api/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.body.length).toBeGreaterThan(100_000);
    expect((await api.anonymous.get('/api/docs/assets/../../package.json')).status).toBe(404);
    expect((await api.anonymous.get('/api/docs/assets/package.json')).status).toBe(404);
  });

  it('sends the same security headers on every answer: a success, an error, an unknown address, a page', async () => {
    const answers = [
      await api.anonymous.get('/health'),
      await api.anonymous.get('/api/v1/organizations'),
      await api.anonymous.get('/api/v1/no-such-thing'),
      await api.anonymous.get('/api/docs'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 200]);
    for (const { headers } of answers) {
      expect(String(headers['content-security-policy']).split(';').sort()).toEqual([
        "base-uri 'self'",
        "connect-src 'self'",
        "default-src 'self'",
        "font-src 'self' https: data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "img-src 'self' data:",
        "object-src 'none'",
        "script-src 'self'",
        "script-src-attr 'none'",
        "style-src 'self' 'unsafe-inline'",
        'upgrade-insecure-requests',
      ]);
      expect(headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-permitted-cross-domain-policies': 'none',
      });
      expect(headers['x-powered-by']).toBeUndefined();
    }
    // Each answer still has its own request id.
    expect(new Set(answers.map((answer) => answer.headers['x-request-id'])).size).toBe(answers.length);
  });
});
