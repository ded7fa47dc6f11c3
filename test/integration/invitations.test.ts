import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization } from '../support/factories.js';
import { mailedToken, mailsTo } from '../support/mail.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(() => api?.close());

const memberEmails = async (caller: Caller, organizationId: string): Promise<string[]> =>
  ((await caller.get(`/api/v1/organizations/${organizationId}/members`)).body.data ?? []).map((member: { email: string }) => member.email);

const accountExists = async (email: string) => (await api.db.query('SELECT 1 FROM users WHERE email = $1', [email])).length > 0;

describe('the account takeover reported in issue 8, replayed step by step', () => {
  it('ends refused at every step: an owner never gets an account for an address they do not hold', async () => {
    const victim = 'victim@example.org';
    const organizationA = await makeOrganization(admin, { name: 'Mallory & co' });
    const mallory = await makeClient(api, admin, organizationA.id, { role: 'owner' });
    const organizationB = await makeOrganization(admin, { name: 'Victim’s co-op' });

    // 1. The owner of A adds an unused address to A. The answer holds no token, and nobody is attached.
    const added = await mallory.caller.post(`/api/v1/organizations/${organizationA.id}/members`, { email: victim, role: 'member' });
    expect(added.status).toBe(201);
    expect(Object.keys(added.body).sort()).toEqual(['answeredAt', 'createdAt', 'email', 'expiresAt', 'id', 'organizationId', 'role', 'status']);
    expect(added.body).toMatchObject({ email: victim, role: 'member', status: 'pending', organizationId: organizationA.id });
    expect(JSON.stringify(added.body)).not.toMatch(/[A-Za-z0-9_-]{40,}/);
    expect(await accountExists(victim)).toBe(false);
    expect(await memberEmails(mallory.caller, organizationA.id)).not.toContain(victim);

    // 2. "The owner accepts it with a password of their choosing": without the mailed token there is nothing to accept.
    const guessed = await api.anonymous.post('/api/v1/invitations/accept-new', { token: 'A'.repeat(43), password: 'mallory-chosen-password' });
    expect([guessed.status, guessed.body.error.code]).toEqual([404, 'invitation_invalid']);
    // Nor does a password reset help: no account, nothing mailed, the same answer as for a real one.
    const reset = await mallory.caller.post('/api/v1/auth/password-reset', { email: victim });
    expect(reset.status).toBe(202);
    expect(await accountExists(victim)).toBe(false);
    expect((await mailsTo(api, victim)).filter((mail) => /password|passe/i.test(mail.subject))).toEqual([]);
    // The token went to the victim's mailbox only.
    expect((await mailsTo(api, victim)).map((mail) => mail.subject)).toEqual([expect.stringContaining('Mallory & co')]);

    // 3. "…and removes the membership": there is none to remove.
    const listed = await mallory.caller.get(`/api/v1/organizations/${organizationA.id}/members`);
    expect(listed.body.data.map((member: { email: string }) => member.email)).toEqual([mallory.email]);

    // 4. Staff add the address to B: an invitation again, nothing attached silently.
    const staffAdded = await admin.post(`/api/v1/organizations/${organizationB.id}/members`, { email: victim, role: 'owner' });
    expect(staffAdded.status).toBe(201);
    expect(staffAdded.body.status).toBe('pending');
    expect(await accountExists(victim)).toBe(false);
    expect(await memberEmails(admin, organizationB.id)).toEqual([]);

    // 5. The first owner signs in with "their" password, and reads B: refused both.
    const signIn = await api.anonymous.post('/api/v1/auth/login', { email: victim, password: 'mallory-chosen-password' });
    expect([signIn.status, signIn.body.error.code]).toEqual([401, 'invalid_credentials']);
    expect((await mallory.caller.get(`/api/v1/organizations/${organizationB.id}`)).status).toBe(404);

    // The person who holds the mailbox accepts B's invitation with a password of their own…
    const token = await mailedToken(api, victim, '/invitation');
    const preview = await api.anonymous.post('/api/v1/invitations/preview', { token });
    expect(preview.body).toMatchObject({ email: victim, organization: { id: organizationB.id, name: 'Victim’s co-op' }, role: 'owner', accountExists: false });
    const accepted = await api.anonymous.post('/api/v1/invitations/accept-new', { token, password: 'victims-own-password' });
    expect(accepted.status).toBe(200);
    // …and is a member of B only: A's invitation waits for their answer.
    const victimSession = await api.login(victim, 'victims-own-password');
    expect((await victimSession.get('/api/v1/auth/me')).body.memberships).toEqual([{ organizationId: organizationB.id, role: 'owner' }]);
    expect((await api.anonymous.post('/api/v1/auth/login', { email: victim, password: 'mallory-chosen-password' })).status).toBe(401);
    expect((await mallory.caller.get(`/api/v1/organizations/${organizationB.id}`)).status).toBe(404);
  });
});

describe('inviting', () => {
  it('answers the same whether or not the address has an account', async () => {
    const organization = await makeOrganization(admin);
    const existing = await makeClient(api, admin, (await makeOrganization(admin)).id);
    const forExisting = await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: existing.email, role: 'member' });
    const forNew = await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: 'nobody-yet@example.org', role: 'member' });
    expect(forExisting.status).toBe(forNew.status);
    const shape = (body: Record<string, unknown>) => ({ ...body, id: '', email: '', createdAt: '', expiresAt: '' });
    expect(shape(forExisting.body)).toEqual(shape(forNew.body));
    // An existing account is not attached until its owner accepts, signed in.
    expect(await memberEmails(admin, organization.id)).toEqual([]);
  });

  it('lets an existing account join only when its owner accepts, signed in as that account', async () => {
    const organization = await makeOrganization(admin, { name: 'Joining' });
    const person = await makeClient(api, admin, (await makeOrganization(admin)).id);
    const other = await makeClient(api, admin, (await makeOrganization(admin)).id);
    await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: person.email, role: 'member' });
    const token = await mailedToken(api, person.email, '/invitation');
    expect((await api.anonymous.post('/api/v1/invitations/preview', { token })).body.accountExists).toBe(true);
    // A link never changes the password of an account that has one.
    const overwrite = await api.anonymous.post('/api/v1/invitations/accept-new', { token, password: 'somebody-elses-password' });
    expect([overwrite.status, overwrite.body.error.code]).toEqual([409, 'sign_in_to_accept']);
    await expect(api.login(person.email, 'somebody-elses-password')).rejects.toThrow(/401/);
    // Another signed-in person holding the link gets nothing.
    const stolen = await other.caller.post('/api/v1/invitations/accept', { token });
    expect([stolen.status, stolen.body.error.code]).toEqual([404, 'invitation_invalid']);
    expect(await memberEmails(admin, organization.id)).toEqual([]);
    const accepted = await person.caller.post('/api/v1/invitations/accept', { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ organizationId: organization.id, role: 'member' });
    expect(await memberEmails(admin, organization.id)).toEqual([person.email]);
    expect((await person.caller.post('/api/v1/invitations/accept', { token })).status).toBe(404);
  });

  it('mails the link in the invitation’s language, sealed at rest, and never shows it to the inviter', async () => {
    const organization = await makeOrganization(admin, { locale: 'en', name: 'Langue' });
    const invited = await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: 'mail-check@example.org', role: 'owner', locale: 'fr' });
    const [mail] = await mailsTo(api, 'mail-check@example.org');
    expect(mail!.subject).toBe('Invitation à vous joindre à Langue dans Ruche');
    const token = await mailedToken(api, 'mail-check@example.org', '/invitation');
    const [row] = await api.db.query(`SELECT body_encrypted, status FROM outbound_mail WHERE recipient = 'mail-check@example.org'`);
    expect(row.status).toBe('queued');
    expect(row.body_encrypted).not.toContain(token);
    const [invitation] = await api.db.query('SELECT token_hash, token_sealed FROM invitations WHERE id = $1', [invited.body.id]);
    expect(invitation.token_hash).not.toContain(token);
    expect(invitation.token_sealed).not.toContain(token);
    const list = await admin.get(`/api/v1/organizations/${organization.id}/invitations`);
    expect(list.body.data).toEqual([expect.objectContaining({ id: invited.body.id, status: 'pending' })]);
    expect(JSON.stringify(list.body)).not.toContain(token);
  });

  it('shows staff the link of a pending invitation, for support, and no longer once it is answered', async () => {
    const organization = await makeOrganization(admin);
    await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: 'support@example.org', role: 'member' });
    const token = await mailedToken(api, 'support@example.org', '/invitation');
    const pending = await admin.get('/api/v1/invitations?email=support@example.org');
    expect(pending.body.data).toEqual([expect.objectContaining({ email: 'support@example.org', status: 'pending', link: `${api.config.publicUrl}/invitation#${token}` })]);
    expect((await api.anonymous.post('/api/v1/invitations/accept-new', { token, password: 'support-password' })).status).toBe(200);
    const answered = await admin.get('/api/v1/invitations?email=support@example.org');
    expect(answered.body.data).toEqual([expect.objectContaining({ status: 'accepted', link: null })]);
  });

  it('can be declined, revoked or replaced, and expires: each time the link stops working', async () => {
    const organization = await makeOrganization(admin);
    const owner = await makeClient(api, admin, organization.id);
    const invite = async (email: string) => {
      const response = await owner.caller.post(`/api/v1/organizations/${organization.id}/members`, { email, role: 'member' });
      expect(response.status).toBe(201);
      return { id: response.body.id as string, token: await mailedToken(api, email, '/invitation') };
    };
    const declined = await invite('declines@example.org');
    expect((await api.anonymous.post('/api/v1/invitations/decline', { token: declined.token })).status).toBe(204);
    expect((await api.anonymous.post('/api/v1/invitations/accept-new', { token: declined.token, password: 'too-late-password' })).status).toBe(404);

    const revoked = await invite('revoked@example.org');
    expect((await owner.caller.delete(`/api/v1/organizations/${organization.id}/invitations/${revoked.id}`)).status).toBe(204);
    expect((await api.anonymous.post('/api/v1/invitations/preview', { token: revoked.token })).status).toBe(404);

    const first = await invite('twice@example.org');
    const second = await invite('twice@example.org');
    expect((await api.anonymous.post('/api/v1/invitations/preview', { token: first.token })).status).toBe(404);
    expect((await api.anonymous.post('/api/v1/invitations/preview', { token: second.token })).status).toBe(200);

    const expired = await invite('expired@example.org');
    await api.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    expect((await api.anonymous.post('/api/v1/invitations/accept-new', { token: expired.token, password: 'expired-password' })).status).toBe(404);

    const statuses = (await owner.caller.get(`/api/v1/organizations/${organization.id}/invitations`)).body.data
      .filter((i: { email: string }) => i.email !== owner.email)
      .map((i: { email: string; status: string }) => `${i.email} ${i.status}`);
    expect(statuses.sort()).toEqual(['declines@example.org declined', 'expired@example.org expired', 'revoked@example.org revoked', 'twice@example.org pending', 'twice@example.org revoked']);
    expect(await accountExists('declines@example.org')).toBe(false);
  });

  it('refuses to invite someone who is already a member', async () => {
    const organization = await makeOrganization(admin);
    const owner = await makeClient(api, admin, organization.id);
    const again = await admin.post(`/api/v1/organizations/${organization.id}/members`, { email: owner.email, role: 'member' });
    expect([again.status, again.body.error.code]).toEqual([409, 'membership_exists']);
  });

  it('gives an account opened by staff its password through the mailed link only', async () => {
    const created = await admin.post('/api/v1/users', { email: 'new-staff@koumbit.example', staffRoles: ['worker'] });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/token|link/i);
    await expect(api.login('new-staff@koumbit.example', '')).rejects.toThrow();
    const token = await mailedToken(api, 'new-staff@koumbit.example', '/invitation');
    expect((await api.anonymous.post('/api/v1/invitations/preview', { token })).body).toMatchObject({ organization: null, accountExists: false });
    const accepted = await api.anonymous.post('/api/v1/invitations/accept-new', { token, password: 'chosen-staff-password' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email: 'new-staff@koumbit.example', staffRoles: ['worker'] });
    expect((await api.anonymous.post('/api/v1/invitations/accept-new', { token, password: 'another-password-2' })).status).toBe(404);
  });
});
