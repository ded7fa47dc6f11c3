import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeStaff } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

const totpFor = (secret: string, offsetSteps = 0) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 });

describe('sign-in', () => {
  it('sets an httpOnly SameSite session cookie and answers the user and a CSRF token', async () => {
    const response = await api.anonymous.post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ email: ADMIN_EMAIL, staffRoles: ['sysadmin', 'accountant', 'worker'] });
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
  it('needs the current password, closes other sessions and keeps this one', async () => {
    const org = await makeOrganization(admin);
    const client = await makeClient(api, admin, org.id);
    const other = await api.login(client.email, client.password);
    const wrong = await client.caller.post('/api/v1/auth/password', { currentPassword: 'nope-nope-nope', newPassword: 'a-new-long-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('password_incorrect');
    const weak = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.details).toEqual([expect.objectContaining({ field: 'newPassword', code: 'weak_password' })]);
    const changed = await client.caller.post('/api/v1/auth/password', { currentPassword: client.password, newPassword: 'a-new-long-password' });
    expect(changed.status).toBe(204);
    expect((await client.caller.get('/api/v1/auth/me')).status).toBe(200);
    expect((await other.get('/api/v1/auth/me')).status).toBe(401);
    await expect(api.login(client.email, client.password)).rejects.toThrow(/401/);
    await expect(api.login(client.email, 'a-new-long-password')).resolves.toBeDefined();
  });
});

describe('invitations', () => {
  it('lets a new member choose a password once, then sign in', async () => {
    const org = await makeOrganization(admin);
    const added = await admin.post(`/api/v1/organizations/${org.id}/members`, { email: 'New.Person@Example.org', role: 'member' });
    expect(added.status).toBe(201);
    expect(added.body.member).toMatchObject({ email: 'new.person@example.org', role: 'member' });
    const token = added.body.invitationToken;
    expect(token).toEqual(expect.any(String));
    // Without a password yet, nobody can sign in as them.
    await expect(api.login('new.person@example.org', '')).rejects.toThrow();
    const accepted = await api.anonymous.post('/api/v1/auth/accept-invitation', { token, password: 'chosen-password-1' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user.email).toBe('new.person@example.org');
    const again = await api.anonymous.post('/api/v1/auth/accept-invitation', { token, password: 'another-password-2' });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('invitation_invalid');
    await expect(api.login('new.person@example.org', 'chosen-password-1')).resolves.toBeDefined();
  });

  it('queues the invitation mail in the person’s language, without the link in clear in the database', async () => {
    const org = await makeOrganization(admin, { locale: 'en' });
    const added = await admin.post(`/api/v1/organizations/${org.id}/members`, { email: 'mail-check@example.org', role: 'owner', locale: 'fr' });
    const [mail] = await api.db.query(`SELECT subject, body_encrypted, status FROM outbound_mail WHERE recipient = 'mail-check@example.org'`);
    expect(mail.subject).toMatch(/Votre compte Ruche/);
    expect(mail.status).toBe('queued');
    expect(mail.body_encrypted).not.toContain(added.body.invitationToken);
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
