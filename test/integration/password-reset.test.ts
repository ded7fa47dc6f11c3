import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeToken } from '../support/factories.js';
import { mailedToken, mailsTo } from '../support/mail.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

const sessionCount = async (userId: string): Promise<number> => (await api.db.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]))[0].n;

const resetMails = async (email: string) => (await mailsTo(api, email)).filter((mail) => mail.text.includes('/reset-password#'));

describe('password reset by e-mail', () => {
  it('answers the same for known and unknown addresses, and mails a link only to an account', async () => {
    const client = await makeClient(api, admin, (await makeOrganization(admin)).id);
    const known = await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email.toUpperCase() }, { remoteAddress: '10.7.0.1' });
    const unknown = await api.anonymous.post('/api/v1/auth/password-reset', { email: 'no-account@example.org' }, { remoteAddress: '10.7.0.2' });
    expect([known.status, known.body]).toEqual([202, { status: 'requested' }]);
    expect([unknown.status, unknown.body]).toEqual([202, { status: 'requested' }]);
    expect(await resetMails(client.email)).toHaveLength(1);
    expect(await mailsTo(api, 'no-account@example.org')).toEqual([]);
    // Asking changes nothing yet.
    await expect(api.login(client.email, client.password)).resolves.toBeDefined();
  });

  it('sets the new password once, ends every session and revokes the API tokens, and says how many', async () => {
    const organization = await makeOrganization(admin);
    const client = await makeClient(api, admin, organization.id);
    const otherSession = await api.login(client.email, client.password);
    const tokens = [await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: organization.id }), await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: organization.id })];
    await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email }, { remoteAddress: '10.7.1.1' });
    const token = await mailedToken(api, client.email, '/reset-password');
    const sessions = await sessionCount(client.userId);
    expect(sessions).toBeGreaterThanOrEqual(2);
    const reset = await api.anonymous.post('/api/v1/auth/password-reset/confirm', { token, newPassword: 'reset-new-password' });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ sessionsEnded: sessions, revokedTokens: 2 });
    expect(await sessionCount(client.userId)).toBe(0);
    for (const caller of [client.caller, otherSession, ...tokens.map((t) => t.caller)]) expect((await caller.get('/api/v1/auth/me')).status).toBe(401);
    await expect(api.login(client.email, client.password)).rejects.toThrow(/401/);
    await expect(api.login(client.email, 'reset-new-password')).resolves.toBeDefined();
    const again = await api.anonymous.post('/api/v1/auth/password-reset/confirm', { token, newPassword: 'another-new-password' });
    expect([again.status, again.body.error.code]).toEqual([404, 'password_reset_invalid']);
  });

  it('keeps API tokens when asked to', async () => {
    const organization = await makeOrganization(admin);
    const client = await makeClient(api, admin, organization.id);
    const token = await makeToken(api, client.caller, { scopes: ['hosting:read'], organizationId: organization.id });
    await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email }, { remoteAddress: '10.7.2.1' });
    const sessions = await sessionCount(client.userId);
    const reset = await api.anonymous.post('/api/v1/auth/password-reset/confirm', { token: await mailedToken(api, client.email, '/reset-password'), newPassword: 'kept-tokens-password', revokeApiTokens: false });
    expect(reset.body).toEqual({ sessionsEnded: sessions, revokedTokens: 0 });
    expect((await token.caller.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('refuses an expired link, and an older link once a newer one was asked for', async () => {
    const client = await makeClient(api, admin, (await makeOrganization(admin)).id);
    await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email }, { remoteAddress: '10.7.3.1' });
    const older = await mailedToken(api, client.email, '/reset-password');
    await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email }, { remoteAddress: '10.7.3.2' });
    const newer = await mailedToken(api, client.email, '/reset-password');
    expect(newer).not.toBe(older);
    expect((await api.anonymous.post('/api/v1/auth/password-reset/confirm', { token: older, newPassword: 'older-link-password' })).status).toBe(404);
    await api.db.query(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    expect((await api.anonymous.post('/api/v1/auth/password-reset/confirm', { token: newer, newPassword: 'newer-link-password' })).status).toBe(404);
    await expect(api.login(client.email, client.password)).resolves.toBeDefined();
  });

  it('throttles requests per address asked for, known or not, alike', async () => {
    const client = await makeClient(api, admin, (await makeOrganization(admin)).id);
    for (const email of [client.email, 'throttled-unknown@example.org']) {
      const answers = [];
      for (let i = 0; i <= api.config.passwordResetMaxPerAccount; i++) {
        answers.push((await api.anonymous.post('/api/v1/auth/password-reset', { email }, { remoteAddress: `10.7.4.${i + 1}` })).status);
      }
      expect(answers).toEqual([...Array(api.config.passwordResetMaxPerAccount).fill(202), 429]);
    }
    expect(await resetMails(client.email)).toHaveLength(api.config.passwordResetMaxPerAccount);
  });

  it('mails nothing for a disabled account', async () => {
    const client = await makeClient(api, admin, (await makeOrganization(admin)).id);
    const user = (await admin.get(`/api/v1/users?email=${encodeURIComponent(client.email)}`)).body.data[0];
    await admin.patch(`/api/v1/users/${user.id}`, { disabled: true });
    expect((await api.anonymous.post('/api/v1/auth/password-reset', { email: client.email }, { remoteAddress: '10.7.5.1' })).status).toBe(202);
    expect(await resetMails(client.email)).toEqual([]);
  });
});
