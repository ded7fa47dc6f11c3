import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeStaff, makeToken } from '../support/factories.js';
import { mailedToken } from '../support/mail.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

const sessionCount = async (userId: string): Promise<number> => (await api.db.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]))[0].n;

const totpFor = (secret: string, offsetSteps = 0) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 });

describe('sign-in', () => {
  it('sets an httpOnly SameSite session cookie and answers the user and a CSRF token', async () => {
    const response = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ email: ADMIN_EMAIL, staffRoles: ['sysadmin', 'accountant', 'worker', 'coordinator'] });
    expect(response.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/ruche_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(response.body.user).not.toHaveProperty('passwordHash');
  });

  it('accepts the e-mail address in any case', async () => {
    const response = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong password and an unknown account alike', async () => {
    const wrong = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: 'not-the-password' }, { remoteAddress: '10.9.0.1' });
    const unknown = await api.anonymous.post('/api/v1/auth/login', { email: 'nobody@example.org', password: 'whatever-password' }, { remoteAddress: '10.9.0.1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error.code).toBe('invalid_credentials');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('ends the session on logout', async () => {
    const session = await api.admin();
    expect((await session.get('/api/v1/auth/me')).status).toBe(200);
    expect((await session.post('/api/v1/auth/logout')).status).toBe(204);
    const after = await session.get('/api/v1/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
  });

  it('answers 401 to a request without credentials', async () => {
    const response = await api.anonymous.get('/api/v1/organizations');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthenticated');
  });
});

describe('login throttling', () => {
  it('locks an account after repeated failures, even for the right password, with Retry-After', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    for (let i = 0; i < api.config.loginMaxFailuresPerAccount; i++) {
      const failed = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: 'wrong-password!' }, { remoteAddress: `10.1.0.${i + 1}` });
      expect(failed.status).toBe(401);
    }
    const locked = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password }, { remoteAddress: '10.1.1.1' });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_requests');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(api.config.loginWindowMinutes * 60);
    // Another account from another address is not affected.
    expect((await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { remoteAddress: '10.1.1.2' })).status).toBe(200);
  });

  it('limits failures per source address across accounts', async () => {
    const address = '10.2.0.9';
    for (let i = 0; i < api.config.loginMaxFailuresPerAddress; i++) {
      await api.anonymous.post('/api/v1/auth/login', { email: `guess-${i}@example.org`, password: 'guess-password' }, { remoteAddress: address });
    }
    const blocked = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { remoteAddress: address });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect((await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { remoteAddress: '10.2.0.10' })).status).toBe(200);
  });
});

describe('CSRF protection of cookie-authenticated writes', () => {
  it('refuses a write without the X-CSRF-Token header, or with a wrong one, and writes nothing', async () => {
    const session = await api.admin();
    const before = await api.db.query('SELECT count(*)::int AS n FROM organizations');
    const missing = await session.post('/api/v1/organizations', { name: 'No CSRF', locale: 'fr' }, { headers: { 'x-csrf-token': '' } });
    const wrong = await session.post('/api/v1/organizations', { name: 'Wrong CSRF', locale: 'fr' }, { headers: { 'x-csrf-token': 'forged' } });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('csrf_token_invalid');
    expect(wrong.status).toBe(403);
    const after = await api.db.query('SELECT count(*)::int AS n FROM organizations');
    expect(after[0].n).toBe(before[0].n);
    expect((await session.post('/api/v1/organizations', { name: 'With CSRF', locale: 'fr' })).status).toBe(201);
  });

  it('lets reads through without the header, and gives the token back from /auth/me', async () => {
    const session = await api.admin();
    const me = await session.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(session.credentials && session.credentials.kind === 'session' ? session.credentials.csrfToken : null);
  });
});

describe('password change', () => {
  it('needs the current password, closes other sessions, revokes API tokens by default and keeps this session', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const other = await api.login(client.email, client.password);
    const token = await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: org.id });
    expect((await token.caller.get('/api/v1/auth/me')).status).toBe(200);
    const wrong = await client.caller.post('/api/v1/auth/password', { currentPassword: 'nope-nope-nope', newPassword: 'a-new-long-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('password_incorrect');
    const weak = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.details).toEqual([expect.objectContaining({ field: 'newPassword', code: 'weak_password' })]);
    const sessions = await sessionCount(client.userId);
    const changed = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'a-new-long-password' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ sessionsEnded: sessions - 1, revokedTokens: 1 });
    expect(await sessionCount(client.userId)).toBe(1);
    expect((await client.caller.get('/api/v1/auth/me')).status).toBe(200);
    expect((await other.get('/api/v1/auth/me')).status).toBe(401);
    expect((await token.caller.get('/api/v1/auth/me')).status).toBe(401);
    await expect(api.login(client.email, client.password)).rejects.toThrow(/401/);
    await expect(api.login(client.email, 'a-new-long-password')).resolves.toBeDefined();
  });

  it('keeps API tokens when asked to, and says so', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const token = await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: org.id });
    const sessions = await sessionCount(client.userId);
    const changed = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'kept-tokens-password', revokeApiTokens: false });
    expect(changed.body).toEqual({ sessionsEnded: sessions - 1, revokedTokens: 0 });
    expect((await token.caller.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('throttles the current-password check like sign-in: a stolen session is no password oracle', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const guesses = await Promise.all(
      Array.from({ length: api.config.loginMaxFailuresPerAccount }, (_, i) =>
        client.caller.post('/api/v1/auth/password', { currentPassword: `guess-${i}-guess`, newPassword: 'whatever-password' }, { remoteAddress: `10.5.0.${i + 1}` }),
      ),
    );
    expect(guesses.map((guess) => guess.status)).toEqual(guesses.map(() => 403));
    const right = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'whatever-password' }, { remoteAddress: '10.5.1.1' });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // The same counter guards sign-in: the account is throttled there too.
    const login = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password }, { remoteAddress: '10.5.1.2' });
    expect(login.status).toBe(429);
  });
});

describe('passwords carried over from another panel', () => {
  it('sign in with their md5-crypt or bcrypt hash once, which is then replaced by argon2id', async () => {
    const org = await makeOrganization(admin);
    for (const carried of ['$1$Kb0rE7.x$lxA0U1T4zDjaGN75fWpvY1', '$2y$04$abcdefghijklmnopqrstuuWbsaRB1eBoHLNiKyNPCJALLI91CNPM6']) {
      const client = await makeClient(api, admin, org.id);
      await api.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [client.userId, carried]);
      await expect(api.login(client.email, 'vieux secret ')).rejects.toThrow(/401/);
      await expect(api.login(client.email, 'vieux secret')).resolves.toBeDefined();
      const [row] = await api.db.query('SELECT password_hash FROM users WHERE id = $1', [client.userId]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      await expect(api.login(client.email, 'vieux secret')).resolves.toBeDefined();
    }
  });
});

describe('sign-in from other sites', () => {
  it('accepts JSON only: a form or text/plain sign-in is 415 and opens no session', async () => {
    const form = await api.anonymous.request('POST', '/api/v1/auth/login', undefined, {
      raw: `email=${encodeURIComponent(ADMIN_EMAIL)}&password=${encodeURIComponent(ADMIN_PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    expect(form.headers['set-cookie']).toBeUndefined();
    const text = await api.anonymous.request('POST', '/api/v1/auth/login', undefined, {
      raw: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.headers['set-cookie']).toBeUndefined();
    const multipart = await api.anonymous.request('POST', '/api/v1/auth/login', undefined, {
      raw: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\r\n--x--',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(multipart.status).toBe(415);
  });

  it('refuses a write from a page of another site (Origin), sign-in included, and accepts its own origin', async () => {
    const foreign = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { headers: { origin: 'https://evil.example.net' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('origin_not_allowed');
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const own = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { headers: { origin: new URL(api.config.publicUrl).origin } });
    expect(own.status).toBe(200);
    const session = await api.admin();
    const before = await api.db.query('SELECT count(*)::int AS n FROM organizations');
    const write = await session.post('/api/v1/organizations', { name: 'Cross-site', locale: 'fr' }, { headers: { origin: 'http://127.0.0.1.evil.example.net' } });
    expect([write.status, write.body.error.code]).toEqual([403, 'origin_not_allowed']);
    expect((await api.db.query('SELECT count(*)::int AS n FROM organizations'))[0].n).toBe(before[0].n);
    // The address the request came to counts as the same origin (fastify.inject says localhost:80).
    expect((await session.post('/api/v1/organizations', { name: 'Same host', locale: 'fr' }, { headers: { origin: 'http://localhost:80' } })).status).toBe(201);
    // Reads are not writes, and scripts with a bearer token are not browsers.
    expect((await session.get('/api/v1/auth/me', { headers: { origin: 'https://evil.example.net' } })).status).toBe(200);
  });
});

describe('what a token limited to one organisation sees of its owner', () => {
  it('shows only that organisation in /auth/me', async () => {
    const first = await makeOrganization(admin);
    const second = await makeOrganization(admin);
    const client = await makeClient(api, admin, first.id);
    const invited = await admin.post(`/api/v1/organizations/${second.id}/members`, { email: client.email, role: 'member' });
    expect(invited.status).toBe(201);
    const accepted = await client.caller.post('/api/v1/invitations/accept', { token: await mailedToken(api, client.email, '/invitation') });
    expect(accepted.status).toBe(200);
    const session = await client.caller.get('/api/v1/auth/me');
    expect(session.body.memberships.map((m: { organizationId: string }) => m.organizationId).sort()).toEqual([first.id, second.id].sort());
    const token = await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: first.id });
    const me = await token.caller.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.memberships).toEqual([{ organizationId: first.id, role: 'owner' }]);
    expect(JSON.stringify(me.body)).not.toContain(second.id);
  });
});

describe('two-factor authentication', () => {
  it('enrols with a QR-code URI, then requires a one-time code at sign-in, refusing replays', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const setup = await client.caller.post('/api/v1/auth/2fa/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Ruche:.*secret=/);
    const badConfirm = await client.caller.post('/api/v1/auth/2fa/enable', { code: '000000' });
    expect(badConfirm.status).toBe(422);
    const enabled = await client.caller.post('/api/v1/auth/2fa/enable', { code: totpFor(setup.body.secret) });
    expect(enabled.status).toBe(200);
    expect(enabled.body.recoveryCodes).toHaveLength(10);

    const noCode = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password });
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('two_factor_required');
    const badCode = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password, otp: '123456' });
    expect(badCode.status).toBe(401);
    expect(badCode.body.error.code).toBe('invalid_two_factor_code');
    // The enrolment code was the current step: the next step's code works once.
    const code = totpFor(setup.body.secret, 1);
    const withCode = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password, otp: code });
    expect(withCode.status, JSON.stringify(withCode.body)).toBe(200);
    const replay = await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password, otp: code });
    expect(replay.status).toBe(401);

    const recovery = enabled.body.recoveryCodes[0];
    expect((await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password, recoveryCode: recovery })).status).toBe(200);
    expect((await api.anonymous.post('/api/v1/auth/login', { email: client.email, password: client.password, recoveryCode: recovery })).status).toBe(401);
  });

  it('asks for the password again to turn it off, throttled like sign-in', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const setup = await client.caller.post('/api/v1/auth/2fa/setup');
    expect((await client.caller.post('/api/v1/auth/2fa/enable', { code: totpFor(setup.body.secret) })).status).toBe(200);
    for (let i = 0; i < api.config.loginMaxFailuresPerAccount; i++) {
      const wrong = await client.caller.post('/api/v1/auth/2fa/disable', { password: `guess-${i}-password`, code: totpFor(setup.body.secret, 1) }, { remoteAddress: `10.6.0.${i + 1}` });
      expect([wrong.status, wrong.body.error.code]).toEqual([403, 'password_incorrect']);
    }
    const right = await client.caller.post('/api/v1/auth/2fa/disable', { password: client.password, code: totpFor(setup.body.secret, 1) }, { remoteAddress: '10.6.1.1' });
    expect(right.status).toBe(429);
    expect((await client.caller.get('/api/v1/auth/me')).body.user.twoFactorEnabled).toBe(true);
  });
});

describe('required two-factor authentication for staff', () => {
  it('lets staff without 2FA do nothing but enrol', async () => {
    const strict = await startTestApi({ RUCHE_REQUIRE_STAFF_2FA: 'true' });
    try {
      const session = await strict.admin();
      const me = await session.get('/api/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.twoFactorEnrollmentRequired).toBe(true);
      const blocked = await session.get('/api/v1/organizations');
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe('two_factor_enrollment_required');
      const setup = await session.post('/api/v1/auth/2fa/setup');
      expect((await session.post('/api/v1/auth/2fa/enable', { code: totpFor(setup.body.secret) })).status).toBe(200);
      expect((await session.get('/api/v1/organizations')).status).toBe(200);
      // Clients are not staff: the rule does not apply to them.
      const org = await makeOrganization(session);
      const client = await makeClient(strict, session, org.id);
      expect((await client.caller.get('/api/v1/organizations')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('staff roles', () => {
  it('are managed by sysadmins and take effect at once', async () => {
    const accountant = await makeStaff(api, admin, ['accountant']);
    expect((await accountant.caller.get('/api/v1/users')).status).toBe(403);
    const promoted = await admin.patch(`/api/v1/users/${accountant.userId}`, { staffRoles: ['accountant', 'sysadmin'] });
    expect(promoted.status).toBe(200);
    expect((await accountant.caller.get('/api/v1/users')).status).toBe(200);
    const disabled = await admin.patch(`/api/v1/users/${accountant.userId}`, { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await accountant.caller.get('/api/v1/auth/me')).status).toBe(401);
    await expect(api.login(accountant.email, accountant.password)).rejects.toThrow(/401/);
  });
});
