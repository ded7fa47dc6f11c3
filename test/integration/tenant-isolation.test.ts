import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiGenerator, type RouteInfo } from '@ruche/core';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeToken } from '../support/factories.js';

/**
 * For every route the API has, a client of organisation A aims at organisation B's things
 * and must get nothing: 404 for what it may not see, 403 for what clients may never do,
 * 422 where B's id is refused as input. B's rows must be unchanged afterwards.
 * A route missing from this table fails the test: new endpoints must say how they are isolated.
 */
interface Target {
  organizationB: { id: string };
  memberB: { userId: string };
  tokenB: { id: string };
}

type Attack = (t: Target) => { url: string; body?: unknown };

const ATTACKS: Record<string, Attack | 'self-only' | 'public'> = {
  'post /api/v1/auth/login': 'public',
  'post /api/v1/auth/accept-invitation': 'public',
  'get /api/openapi.json': 'public',
  'get /api/docs': 'public',
  'get /api/docs/init.js': 'public',
  'get /health': 'public',
  'get /ready': 'public',
  'get /metrics': 'public',
  // These act on the caller's own account only: there is no id to aim elsewhere.
  'post /api/v1/auth/logout': 'self-only',
  'get /api/v1/auth/me': 'self-only',
  'patch /api/v1/auth/me': 'self-only',
  'post /api/v1/auth/password': 'self-only',
  'post /api/v1/auth/2fa/setup': 'self-only',
  'post /api/v1/auth/2fa/enable': 'self-only',
  'post /api/v1/auth/2fa/disable': 'self-only',
  'get /api/v1/tokens': 'self-only',

  'post /api/v1/tokens': (t) => ({ url: '/api/v1/tokens', body: { name: 'x', scopes: ['hosting:read'], organizationId: t.organizationB.id } }),
  'delete /api/v1/tokens/:id': (t) => ({ url: `/api/v1/tokens/${t.tokenB.id}` }),
  'get /api/v1/organizations': () => ({ url: '/api/v1/organizations' }),
  'post /api/v1/organizations': () => ({ url: '/api/v1/organizations', body: { name: 'x', locale: 'fr' } }),
  'get /api/v1/organizations/:id': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}` }),
  'patch /api/v1/organizations/:id': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}`, body: { name: 'taken over' } }),
  'get /api/v1/organizations/:id/members': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/members` }),
  'post /api/v1/organizations/:id/members': (t) => ({
    url: `/api/v1/organizations/${t.organizationB.id}/members`,
    body: { email: 'intruder@example.org', role: 'owner' },
  }),
  'patch /api/v1/organizations/:id/members/:userId': (t) => ({
    url: `/api/v1/organizations/${t.organizationB.id}/members/${t.memberB.userId}`,
    body: { role: 'member' },
  }),
  'delete /api/v1/organizations/:id/members/:userId': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/members/${t.memberB.userId}` }),
  'get /api/v1/users': () => ({ url: '/api/v1/users' }),
  'post /api/v1/users': () => ({ url: '/api/v1/users', body: { email: 'intruder2@example.org', staffRoles: ['sysadmin'] } }),
  'get /api/v1/users/:id': (t) => ({ url: `/api/v1/users/${t.memberB.userId}` }),
  'patch /api/v1/users/:id': (t) => ({ url: `/api/v1/users/${t.memberB.userId}`, body: { disabled: true } }),
  'get /api/v1/audit-events': () => ({ url: '/api/v1/audit-events' }),
};

let api: TestApi;
let routes: RouteInfo[];
let clientA: Caller;
let tokenA: Caller;
let target: Target;

/** Everything of B's that an attack could change, to compare before and after. */
async function snapshotB(): Promise<string> {
  const rows = await api.db.query(
    `SELECT json_build_object(
       'org', (SELECT row_to_json(o) FROM organizations o WHERE o.id = $1),
       'members', (SELECT json_agg(m ORDER BY m.id) FROM memberships m WHERE m.organization_id = $1),
       'user', (SELECT row_to_json(u) FROM users u WHERE u.id = $2),
       'tokens', (SELECT json_agg(t ORDER BY t.id) FROM api_tokens t WHERE t.user_id = $2)) AS snapshot`,
    [target.organizationB.id, target.memberB.userId],
  );
  return JSON.stringify(rows[0].snapshot);
}

beforeAll(async () => {
  api = await startTestApi();
  routes = api.app.get(OpenApiGenerator).routes();
  const admin = await api.admin();
  const orgA = await makeOrganization(admin, { name: 'A' });
  const orgB = await makeOrganization(admin, { name: 'B' });
  const a = await makeClient(api, admin, orgA.id, { role: 'owner' });
  const b = await makeClient(api, admin, orgB.id, { role: 'owner' });
  const tokenOfB = await makeToken(api, b.caller, { scopes: ['hosting:read'], organizationId: orgB.id });
  clientA = a.caller;
  tokenA = (await makeToken(api, a.caller, { scopes: ['hosting:read', 'hosting:write', 'organizations:admin', 'billing:read'], organizationId: orgA.id })).caller;
  target = { organizationB: orgB, memberB: { userId: b.userId }, tokenB: { id: tokenOfB.id } };
});
afterAll(() => api?.close());

describe('tenant isolation', () => {
  it('covers every route the API has', () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(keys.filter((key) => !(key in ATTACKS))).toEqual([]);
    expect(Object.keys(ATTACKS).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('declares an access rule on every route (none is open by accident)', () => {
    const undeclared = routes.filter((route) => route.auth === undefined).map((route) => `${route.method} ${route.path}`);
    expect(undeclared).toEqual([]);
    const publicRoutes = routes.filter((route) => route.auth?.public).map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.sort()).toEqual(Object.entries(ATTACKS).filter(([, attack]) => attack === 'public').map(([key]) => key).sort());
  });

  it('answers 401 to anonymous callers on every non-public route', async () => {
    for (const route of routes) {
      if (route.auth?.public) continue;
      const url = route.path.replace(/:[A-Za-z]+/g, '01a20000-0000-7000-8000-000000000000');
      const response = await api.anonymous.request(route.method.toUpperCase(), url, ['post', 'patch'].includes(route.method) ? {} : undefined);
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  for (const [name, caller] of [
    ['a session', () => clientA],
    ['an organisation token', () => tokenA],
  ] as const) {
    it(`gives a client of A (${name}) nothing of B on any route`, async () => {
      const before = await snapshotB();
      for (const route of routes) {
        const attack = ATTACKS[`${route.method} ${route.path}`];
        if (typeof attack !== 'function') continue;
        const { url, body } = attack(target);
        const response = await caller().request(route.method.toUpperCase(), url, body ?? (['post', 'patch'].includes(route.method) ? {} : undefined));
        const label = `${route.method} ${route.path} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
        if (response.status === 200) {
          // Lists answer, but without anything of B's.
          expect(route.method, label).toBe('get');
          const text = JSON.stringify(response.body);
          expect(text, label).not.toContain(target.organizationB.id);
          expect(text, label).not.toContain(target.memberB.userId);
        } else {
          expect([403, 404, 422], label).toContain(response.status);
        }
      }
      expect(await snapshotB()).toBe(before);
    });
  }
});
