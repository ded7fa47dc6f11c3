import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageService } from '@ruche/hosting';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

let api: TestApi;
let admin: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  await makeServers(admin);
});
afterAll(() => api?.close());

describe('plans', () => {
  it('give a new organisation the default plan, with room for a small organisation', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const profile = await caller.get(`/api/v1/organizations/${organization.id}/hosting`);
    expect(profile.status).toBe(200);
    expect(profile.body.plan).toMatchObject({
      code: 'communautaire',
      isDefault: true,
      quotas: { domains: 10, sites: 10, mailboxes: 50, databases: 10 },
      monthlyPriceCents: 2500,
    });
    expect(profile.body.plan.quotas.mail_storage_mb).toBeGreaterThanOrEqual(50 * 1024);
    expect(profile.body.prefix).toMatch(/^[a-z][a-z0-9]{1,11}$/);
  });

  it('have bilingual names and effective-dated prices', async () => {
    const created = await admin.post('/api/v1/plans', {
      code: 'solidaire',
      nameFr: 'Forfait solidaire',
      nameEn: 'Solidarity plan',
      quotas: { domains: 2, sites: 2, mailboxes: 5, mail_storage_mb: 5120, databases: 1, database_storage_mb: 1024, web_storage_mb: 2048 },
      monthlyPriceCents: 800,
      effectiveFrom: '2020-01-01',
    });
    expect(created.status).toBe(201);
    // Each person reads the name in their own language, whatever their browser sends.
    expect((await admin.get(`/api/v1/plans/${created.body.id}`, { headers: { 'accept-language': 'fr' } })).body.name).toBe('Solidarity plan');
    const { caller } = await makeHostingClient(api, admin, { locale: 'fr' });
    expect((await caller.get(`/api/v1/plans/${created.body.id}`)).body.name).toBe('Forfait solidaire');
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    expect((await admin.post(`/api/v1/plans/${created.body.id}/prices`, { effectiveFrom: future, monthlyPriceCents: 900 })).status).toBe(201);
    const plan = (await admin.get(`/api/v1/plans/${created.body.id}`)).body;
    expect(plan.monthlyPriceCents).toBe(800);
    expect(plan.prices).toEqual([
      { effectiveFrom: '2020-01-01', monthlyPriceCents: 800 },
      { effectiveFrom: future, monthlyPriceCents: 900 },
    ]);
    expect((await admin.post(`/api/v1/plans/${created.body.id}/prices`, { effectiveFrom: future, monthlyPriceCents: 1 })).status).toBe(409);
    expect((await caller.post('/api/v1/plans', { code: 'x', nameFr: 'x', nameEn: 'x', quotas: plan.quotas, monthlyPriceCents: 0 })).status).toBe(403);
  });
});

describe('quotas', () => {
  it('refuse going over, naming the meter, the limit and the current use, and write nothing', async () => {
    const { organization, caller } = await makeHostingClient(api, admin, { locale: 'en' });
    expect((await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { domains: 1 })).status).toBe(204);
    await makeDomain(caller, organization.id);
    const over = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'one-too-many.org' });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'quota_exceeded', details: { meter: 'domains', limit: 1, used: 1, requested: 1 } });
    expect(over.body.error.message).toBe('Your plan allows 1 for “domains”; 1 are in use and this needs 1 more.');
    expect(await api.db.query(`SELECT 1 FROM domains WHERE name = 'one-too-many.org'`)).toHaveLength(0);
    // Clients cannot raise their own limits.
    expect((await caller.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { domains: 100 })).status).toBe(403);
  });

  it('hold at the edge under parallel creates: exactly the free slots are taken', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { mailboxes: 3 });
    const domain = await makeDomain(caller, organization.id);
    for (const name of ['one', 'two']) {
      expect((await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `${name}@${domain.name}`, password: 'long-enough-password', quotaMb: 10 })).status).toBe(201);
    }
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `racer${i}@${domain.name}`, password: 'long-enough-password', quotaMb: 10 }),
      ),
    );
    const statuses = racers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    expect(racers.filter((r) => r.status === 409).every((r) => r.body.error.code === 'quota_exceeded')).toBe(true);
    expect((await api.db.query(`SELECT count(*)::int AS n FROM mailboxes WHERE organization_id = $1`, [organization.id]))[0].n).toBe(3);
  });

  it('count mail storage as the sum of mailbox quotas, on create and on change', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { mail_storage_mb: 1000 });
    const domain = await makeDomain(caller, organization.id);
    const box = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `a@${domain.name}`, password: 'long-enough-password', quotaMb: 600 });
    const tooBig = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `b@${domain.name}`, password: 'long-enough-password', quotaMb: 500 });
    expect(tooBig.status).toBe(409);
    expect(tooBig.body.error.details).toMatchObject({ meter: 'mail_storage_mb', limit: 1000, used: 600, requested: 500 });
    const grow = await caller.patch(`/api/v1/mailboxes/${box.body.id}`, { quotaMb: 1001 });
    expect(grow.status).toBe(409);
    expect((await caller.patch(`/api/v1/mailboxes/${box.body.id}`, { quotaMb: 1000 })).status).toBe(200);
    // Removing an override goes back to the plan's limit.
    await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { mail_storage_mb: null });
    expect((await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `b@${domain.name}`, password: 'long-enough-password', quotaMb: 500 })).status).toBe(201);
  });

  it('follow the organisation to a new plan', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const tiny = await admin.post('/api/v1/plans', {
      code: 'minuscule',
      nameFr: 'Minuscule',
      nameEn: 'Tiny',
      quotas: { domains: 1, sites: 0, mailboxes: 0, mail_storage_mb: 0, databases: 0, database_storage_mb: 0, web_storage_mb: 0 },
      monthlyPriceCents: 0,
    });
    expect((await admin.put(`/api/v1/organizations/${organization.id}/subscription`, { planId: tiny.body.id })).status).toBe(204);
    const domain = await makeDomain(caller, organization.id);
    const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [domain.name] });
    expect(site.status).toBe(409);
    expect(site.body.error.details).toMatchObject({ meter: 'sites', limit: 0 });
    expect((await caller.get(`/api/v1/organizations/${organization.id}/hosting`)).body.plan.code).toBe('minuscule');
  });
});

describe('usage', () => {
  it('shows current use per meter and samples it once a day, a re-run changing nothing', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const domain = await makeDomain(caller, organization.id);
    await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [domain.name] });
    await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `a@${domain.name}`, password: 'long-enough-password', quotaMb: 250 });
    await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: `b@${domain.name}`, password: 'long-enough-password', quotaMb: 750 });
    await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'postgresql', name: 'app' });
    await api.db.query(`UPDATE sites SET storage_bytes = 5 * 1024 * 1024 + 1 WHERE organization_id = $1`, [organization.id]);

    const usage = await caller.get(`/api/v1/organizations/${organization.id}/usage`);
    expect(usage.status).toBe(200);
    const byMeter = Object.fromEntries(usage.body.meters.map((m: { meter: string; used: number; limit: number }) => [m.meter, [m.used, m.limit]]));
    expect(byMeter).toMatchObject({
      domains: [1, 10],
      sites: [1, 10],
      mailboxes: [2, 50],
      mail_storage_mb: [1000, 51200],
      databases: [1, 10],
      database_storage_mb: [0, 10240],
      web_storage_mb: [6, 20480],
    });

    const sampler = api.app.get(UsageService);
    const day = '2026-11-24';
    expect(await sampler.sampleDay(day)).toBeGreaterThanOrEqual(7);
    const sampled = async () =>
      Object.fromEntries(
        (await api.db.query(`SELECT meter, quantity FROM usage_samples WHERE organization_id = $1 AND day = $2`, [organization.id, day])).map(
          (row: { meter: string; quantity: string }) => [row.meter, Number(row.quantity)],
        ),
      );
    const first = await sampled();
    expect(first).toEqual({ domains: 1, sites: 1, mailboxes: 2, mail_storage_mb: 1000, databases: 1, database_storage_mb: 0, web_storage_mb: 6 });
    await caller.post('/api/v1/databases', { organizationId: organization.id, engine: 'postgresql', name: 'more' });
    expect(await sampler.sampleDay(day)).toBe(0);
    expect(await sampled()).toEqual(first);
    // Deleted things stop counting.
    const mailboxes = await caller.get(`/api/v1/mailboxes?organizationId=${organization.id}`);
    await caller.delete(`/api/v1/mailboxes/${mailboxes.body.data[0].id}`);
    const after = await caller.get(`/api/v1/organizations/${organization.id}/usage`);
    expect(after.body.meters.find((m: { meter: string }) => m.meter === 'mailboxes').used).toBe(1);
  });
});
