import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger, RequestContext, TransactionalConnection } from '@ruche/core';
import { BillableLinesService } from '@ruche/billing';
import { BillingFactsService } from '@ruche/hosting';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeOrganization, makeStaff } from '../support/factories.js';
// The run's service, reached the way its job handler reaches it.
import { BillingRunsService } from '../../libs/billing/src/runs/billing-runs.service.js';

let api: TestApi;
let admin: Caller;
let accountant: Caller;
let worker: INestApplicationContext | undefined;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  accountant = (await makeStaff(api, admin, ['accountant'])).caller;
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await api?.close();
});

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A plan of its own (its price from 2020), so each test bills organisations nothing else touches. */
async function makePlan(code: string, monthlyPriceCents: number, mailboxes = 50) {
  const response = await accountant.post('/api/v1/plans', {
    code,
    nameFr: `Forfait ${code}`,
    nameEn: `${code} plan`,
    quotas: { domains: 10, sites: 10, mailboxes, mail_storage_mb: 1000, databases: 5, database_storage_mb: 1000, web_storage_mb: 1000 },
    monthlyPriceCents,
    effectiveFrom: '2020-01-01',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string };
}

/** An organisation on `planId` since `startsOn`. */
async function subscribed(planId: string, startsOn: string, fields: { locale?: 'fr' | 'en'; name?: string } = {}) {
  const organization = await makeOrganization(admin, fields);
  const response = await admin.put(`/api/v1/organizations/${organization.id}/subscription`, { planId, startsOn });
  expect(response.status, JSON.stringify(response.body)).toBe(204);
  return organization;
}

const invoicesOf = async (period: string) =>
  (await accountant.get(`/api/v1/invoices?limit=200&status=draft`)).body.data.filter((invoice: { billingPeriod: string }) => invoice.billingPeriod === period);

describe('billing runs', () => {
  it('make the expected drafts for a period (plans prorated by day, metered extras at the peak), through the worker, and a second run makes none', async () => {
    const plan = await makePlan('run-a', 3000, 50);
    const bigger = await makePlan('run-b', 6200, 60);
    const steady = await subscribed(plan.id, '2020-01-01', { locale: 'fr', name: 'Stable' });
    const mover = await subscribed(plan.id, '2020-01-01', { locale: 'en', name: 'Mover' });
    expect((await admin.put(`/api/v1/organizations/${mover.id}/subscription`, { planId: bigger.id, startsOn: '2025-03-16' })).status).toBe(204);
    // Thirty days of mailbox use, peaking at 60 on a plan that includes 50.
    await api.db.query(
      `INSERT INTO usage_samples (organization_id, meter, day, quantity)
       SELECT $1, 'mailboxes', d::date, CASE WHEN d = '2025-03-20' THEN 60 ELSE 40 END FROM generate_series('2025-03-01'::date, '2025-03-30'::date, '1 day') d`,
      [steady.id],
    );
    // 55 mailboxes all month: above the first plan's 50 until the 15th, within the second plan's 60 after.
    await api.db.query(
      `INSERT INTO usage_samples (organization_id, meter, day, quantity) SELECT $1, 'mailboxes', d::date, 55 FROM generate_series('2025-03-01'::date, '2025-03-31'::date, '1 day') d`,
      [mover.id],
    );
    worker ??= await createWorker({ ...api.config, queuePollIntervalMs: 10_000 }, createLogger('silent'), api.config.databaseUrl!);

    const started = await accountant.post('/api/v1/billing-runs', { period: '2025-03' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const done = await waitFor(async () => {
      const run = (await accountant.get(`/api/v1/billing-runs/${started.body.id}`)).body;
      return run.status === 'completed' ? run : null;
    });
    expect(done.progress).toMatchObject({ organizationsDone: 2, invoicesCreated: 2, alreadyInvoiced: 0 });

    const drafts = await invoicesOf('2025-03');
    const steadyInvoice = (await accountant.get(`/api/v1/invoices/${drafts.find((d: { organizationId: string }) => d.organizationId === steady.id).id}`)).body;
    expect(steadyInvoice.lines.map((l: Record<string, string>) => [l.description, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['Forfait run-a — du 2025-03-01 au 2025-03-31 (31/31 jours)', '1.0000', '30.0000', '30.00'],
      ['Boîtes courriel supplémentaires — pointe au-delà du forfait, du 2025-03-01 au 2025-03-31', '10.0000', '1.0000', '10.00'],
    ]);
    expect([steadyInvoice.subtotal, steadyInvoice.taxes[0].amount, steadyInvoice.taxes[1].amount, steadyInvoice.total, steadyInvoice.issueDate]).toEqual(['40.00', '2.00', '3.99', '45.99', '2025-03-31']);
    const moverInvoice = (await accountant.get(`/api/v1/invoices/${drafts.find((d: { organizationId: string }) => d.organizationId === mover.id).id}`)).body;
    expect(moverInvoice.lines.map((l: Record<string, string>) => [l.description, l.quantity, l.amount])).toEqual([
      ['run-a plan — 2025-03-01 to 2025-03-15 (15/31 days)', '0.4839', '14.52'],
      ['run-b plan — 2025-03-16 to 2025-03-31 (16/31 days)', '0.5161', '32.00'],
      ['Extra mailboxes — peak above the plan, 2025-03-01 to 2025-03-31', '5.0000', '5.00'],
    ]);

    // The same period again: nothing new, and the answer says so.
    const again = await accountant.post('/api/v1/billing-runs', { period: '2025-03' });
    expect([again.status, again.body.id, again.body.repeated]).toEqual([200, started.body.id, true]);
    const repeated = await waitFor(async () => {
      const run = (await accountant.get(`/api/v1/billing-runs/${started.body.id}`)).body;
      return run.status === 'completed' && run.passes === 2 ? run : null;
    });
    expect(repeated.progress).toMatchObject({ invoicesCreated: 0, alreadyInvoiced: 2 });
    expect(await invoicesOf('2025-03')).toHaveLength(2);

    // Posting the run numbers and posts every draft, in the background.
    expect((await accountant.post(`/api/v1/billing-runs/${started.body.id}/post`, {})).status).toBe(202);
    await waitFor(async () => ((await accountant.get(`/api/v1/billing-runs/${started.body.id}`)).body.posting.status === 'completed' ? true : null));
    const posted = (await accountant.get(`/api/v1/invoices?billingRunId=${started.body.id}`)).body.data;
    expect(posted.map((invoice: { status: string }) => invoice.status)).toEqual(['posted', 'posted']);
    expect(posted.map((invoice: { number: string }) => invoice.number).sort()).toEqual(['2025-00001', '2025-00002']);
    expect((await accountant.get('/api/v1/accounting/consistency')).body.ok).toBe(true);
    await stopWorker(worker);
    worker = undefined;
  });

  it('resume after a crash where they stopped, and bill each line from elsewhere once and only once', async () => {
    const plan = await makePlan('run-c', 1000);
    const organizations: Array<{ id: string }> = [];
    for (let i = 0; i < 5; i++) organizations.push(await subscribed(plan.id, '2020-01-01'));
    const lines = api.app.get(BillableLinesService);
    const db = api.app.get(TransactionalConnection);
    const submit = () =>
      system(() =>
        db.withTransaction(() =>
          lines.submit(
            organizations.map((organization, i) => ({
              organizationId: organization.id,
              sourceKind: 'time_entry',
              sourceId: `entry-${i}`,
              description: { fr: 'Développement du site', en: 'Site development' },
              quantity: '1.5',
              unitPrice: '60.00',
              serviceDate: '2025-04-10',
            })),
          ),
        ),
      );
    expect(await submit()).toBe(5);
    expect(await submit()).toBe(0); // idempotent by source

    // No worker runs here: this test plays the workers, and their crash.
    const started = await accountant.post('/api/v1/billing-runs', { period: '2025-04' });
    const runs = api.app.get(BillingRunsService);
    // A worker commits one batch of two organisations, then dies.
    const first = await system(() => runs.continueRun(started.body.id, { batchSize: 2, maxBatches: 1 }));
    expect([first.status, first.organizationsDone, first.invoicesCreated]).toEqual(['running', 2, 2]);
    // The next batch fails half-way: nothing of it is kept, the progress stays where it was.
    const facts = api.app.get(BillingFactsService);
    const spy = vi.spyOn(facts, 'periodUsage').mockRejectedValueOnce(new Error('worker killed'));
    await expect(system(() => runs.continueRun(started.body.id, { batchSize: 2 }))).rejects.toThrow('worker killed');
    spy.mockRestore();
    const stalled = (await accountant.get(`/api/v1/billing-runs/${started.body.id}`)).body;
    expect([stalled.status, stalled.progress.organizationsDone]).toEqual(['running', 2]);
    // Another worker picks the run up and finishes it.
    const finished = await system(() => runs.continueRun(started.body.id, { batchSize: 2 }));
    // Every organisation subscribed in April (these five, and the earlier test's two), each once.
    const [{ n: subscribedInApril }] = await api.db.query(`SELECT count(DISTINCT organization_id)::int AS n FROM subscriptions WHERE starts_on < '2025-05-01' AND (ends_on IS NULL OR ends_on > '2025-04-01')`);
    expect([finished.status, finished.organizationsDone, finished.invoicesCreated]).toEqual(['completed', subscribedInApril, subscribedInApril]);
    expect((await api.db.query(`SELECT count(*)::int AS n FROM invoices WHERE billing_period = '2025-04'`))[0].n).toBe(subscribedInApril);

    const billed = await api.db.query(
      `SELECT i.organization_id, count(*)::int AS lines FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
        WHERE i.billing_period = '2025-04' AND l.source_kind = 'time_entry' GROUP BY i.organization_id`,
    );
    expect(billed.map((row: { lines: number }) => row.lines)).toEqual([1, 1, 1, 1, 1]);
    const states = await system(() => lines.states('time_entry', organizations.map((_, i) => `entry-${i}`)));
    expect(states.every((state) => state.state === 'invoiced')).toBe(true);
    // Again: the lines stay on their one invoice line.
    await system(() => db.withTransaction(() => runs.start('2025-04').catch(() => undefined)));
    await system(() => runs.continueRun(started.body.id));
    expect((await api.db.query(`SELECT count(*)::int AS n FROM invoice_lines WHERE source_kind = 'time_entry'`))[0].n).toBe(5);
    // A line of a draft that is deleted goes back to wait for the next run.
    const draft = (await invoicesOf('2025-04')).find((invoice: { organizationId: string }) => invoice.organizationId === organizations[0]!.id);
    expect((await accountant.delete(`/api/v1/invoices/${draft.id}`)).status).toBe(204);
    expect((await system(() => lines.states('time_entry', ['entry-0'])))[0]!.state).toBe('pending');
  });

  it('let a line from elsewhere be withdrawn while it waits, never once it is invoiced', async () => {
    const plan = await makePlan('run-d', 1000);
    const organization = await subscribed(plan.id, '2020-01-01');
    const lines = api.app.get(BillableLinesService);
    const db = api.app.get(TransactionalConnection);
    const line = (sourceId: string) => ({ organizationId: organization.id, sourceKind: 'time_entry', sourceId, description: { fr: 'Soutien', en: 'Support' }, quantity: '2', unitPrice: '50', serviceDate: '2025-05-05' });
    await system(() => db.withTransaction(() => lines.submit([line('w-1'), line('w-2')])));
    expect(await system(() => db.withTransaction(() => lines.withdraw('time_entry', ['w-2'])))).toBe(1);
    const started = await accountant.post('/api/v1/billing-runs', { period: '2025-05' });
    await system(() => api.app.get(BillingRunsService).continueRun(started.body.id));
    const states = await system(() => lines.states('time_entry', ['w-1', 'w-2']));
    expect(states.map((state) => [state.sourceId, state.state])).toEqual([['w-1', 'invoiced']]);
    const invoice = (await accountant.get(`/api/v1/invoices/${states[0]!.invoiceId}`)).body;
    expect(invoice.lines.map((l: { description: string; amount: string }) => [l.description, l.amount])).toContainEqual(['Soutien', '100.00']);
    expect(await system(() => db.withTransaction(() => lines.withdraw('time_entry', ['w-1'])))).toBe(0);
  });

  it('start by themselves on the anchor day, for the period that just ended', async () => {
    await system(() => api.app.get(BillingRunsService).scheduledRun());
    const now = new Date();
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const runs = (await accountant.get('/api/v1/billing-runs')).body.data;
    expect(runs.find((run: { period: string }) => run.period === previous)).toMatchObject({ status: 'queued', periodStart: `${previous}-01` });
  });

  it('refuse a period that is not a month', async () => {
    const response = await accountant.post('/api/v1/billing-runs', { period: '2025-13' });
    expect(response.status).toBe(422);
  });
});
