import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestContext } from '@ruche/core';
import { BillingFactsService } from '@ruche/hosting';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeOrganization, makeStaff } from '../support/factories.js';
import { mailsTo } from '../support/mail.js';
import { approve, makeContract, recordTime } from '../support/timekeeping.js';
// The services, reached the way their job handlers reach them (this test plays the workers).
import { BillingRunsService } from '../../libs/billing/src/runs/billing-runs.service.js';
import { TimeBillingService } from '../../libs/timekeeping/src/billing/time-billing.service.js';

let api: TestApi;
let admin: Caller;
let accountant: Caller;
let coordinator: { caller: Caller; email: string };
let alice: { caller: Caller; userId: string };

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  accountant = (await makeStaff(api, admin, ['accountant'])).caller;
  coordinator = await makeStaff(api, admin, ['worker', 'coordinator']);
  alice = await makeStaff(api, admin, ['worker']);
});
afterAll(() => api?.close());

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);
const runs = () => api.app.get(BillingRunsService);
/** What the scheduled job does: learn from billing which lines are invoiced, and lock them. */
const syncInvoiced = () => system(() => api.app.get(TimeBillingService).syncInvoiced());

/** The lines billed from time on an organisation's invoice of a period: [description, quantity, unit price, amount]. */
async function timeLines(organizationId: string, period: string) {
  const invoices = (await accountant.get(`/api/v1/invoices?organizationId=${organizationId}&limit=200`)).body.data.filter((invoice: { billingPeriod: string }) => invoice.billingPeriod === period);
  expect(invoices.length).toBeLessThanOrEqual(1);
  if (invoices.length === 0) return [];
  const invoice = (await accountant.get(`/api/v1/invoices/${invoices[0].id}`)).body;
  const rows = await api.db.query(`SELECT id FROM invoice_lines WHERE invoice_id = $1 AND source_kind = 'time'`, [invoice.id]);
  const ids = new Set(rows.map((row: { id: string }) => row.id));
  return invoice.lines.filter((line: { id: string }) => ids.has(line.id)).map((line: Record<string, string>) => [line.description, line.quantity, line.unitPrice, line.amount]);
}

describe('billable time', () => {
  it('lands on exactly one invoice line per task when the billing run is interrupted, resumed and repeated', async () => {
    const first = await makeOrganization(admin, { name: 'Centre des femmes', locale: 'fr' });
    const second = await makeOrganization(admin, { name: 'Food bank', locale: 'en' });
    const site = await makeContract(coordinator.caller, { name: 'Refonte du site', organizationId: first.id, tasks: ['Design', 'Intégration'] });
    const support = await makeContract(coordinator.caller, { name: 'Support', organizationId: second.id, hourlyRate: '55.00', tasks: ['Helpdesk'] });
    const [design, integration] = site.tasks.sort((a, b) => a.name.localeCompare(b.name));
    const entries = [
      await recordTime(alice.caller, { contractId: site.id, taskId: design!.id, workDate: '2025-04-03', minutes: 120, billable: true }),
      await recordTime(alice.caller, { contractId: site.id, taskId: design!.id, workDate: '2025-04-10', minutes: 90, billable: true }),
      await recordTime(alice.caller, { contractId: site.id, taskId: integration!.id, workDate: '2025-04-15', minutes: 180, billable: true }),
      await recordTime(alice.caller, { contractId: site.id, taskId: integration!.id, workDate: '2025-04-16', minutes: 60 }), // not billable
      await recordTime(alice.caller, { contractId: support.id, taskId: support.tasks[0]!.id, workDate: '2025-04-20', minutes: 45, billable: true }),
    ];
    const waiting = await recordTime(alice.caller, { contractId: site.id, taskId: design!.id, workDate: '2025-04-17', minutes: 60, billable: true }); // never approved
    const approved = await approve(coordinator.caller, entries.map((entry) => entry.id));
    expect(approved.approved.map((entry) => entry.billing?.state ?? null)).toEqual(['submitted', 'submitted', 'submitted', null, 'submitted']);
    // Approving again hands nothing more to billing.
    await approve(coordinator.caller, entries.map((entry) => entry.id));

    // The run commits the first organisation's invoice, then its worker dies half-way through the next batch.
    const started = await accountant.post('/api/v1/billing-runs', { period: '2025-04' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const one = await system(() => runs().continueRun(started.body.id, { batchSize: 1, maxBatches: 1 }));
    expect([one.status, one.invoicesCreated]).toEqual(['running', 1]);
    const spy = vi.spyOn(api.app.get(BillingFactsService), 'periodUsage').mockRejectedValueOnce(new Error('worker killed'));
    await expect(system(() => runs().continueRun(started.body.id, { batchSize: 1 }))).rejects.toThrow('worker killed');
    spy.mockRestore();
    // Another worker resumes it; then the accountant asks for the period again.
    expect((await system(() => runs().continueRun(started.body.id, { batchSize: 1 }))).status).toBe('completed');
    expect((await accountant.post('/api/v1/billing-runs', { period: '2025-04' })).body.repeated).toBe(true);
    await system(() => runs().continueRun(started.body.id));

    expect(await timeLines(first.id, '2025-04')).toEqual([
      ['Refonte du site — Design, travail de avril 2025', '3.5000', '60.0000', '210.00'],
      ['Refonte du site — Intégration, travail de avril 2025', '3.0000', '60.0000', '180.00'],
    ]);
    expect(await timeLines(second.id, '2025-04')).toEqual([['Support — Helpdesk, work in April 2025', '0.7500', '55.0000', '41.25']]);
    expect((await api.db.query(`SELECT count(*)::int AS n FROM invoice_lines WHERE source_kind = 'time'`))[0].n).toBe(3);

    // The job learns it from billing, a committed batch at a time: one dies after its first batch,
    // the next pass locks the rest, and a third finds nothing left to do.
    expect(await system(() => api.app.get(TimeBillingService).syncInvoiced({ batchSize: 1, maxBatches: 1 }))).toEqual({ checked: 1, locked: 1 });
    expect(await syncInvoiced()).toEqual({ checked: 2, locked: 2 });
    expect(await syncInvoiced()).toEqual({ checked: 0, locked: 0 });
    const entry = (await alice.caller.get(`/api/v1/time-entries/${entries[0]!.id}`)).body;
    expect([entry.billing.state, entry.locked, entry.billing.invoiceId]).toEqual(['invoiced', true, expect.any(String)]);
    expect((await alice.caller.get(`/api/v1/time-entries/${waiting.id}`)).body).toMatchObject({ status: 'open', billing: null, locked: false });
  });

  it('lock an invoiced entry in the database; a correction is billed on the next run', async () => {
    const organization = await makeOrganization(admin, { name: 'Maison de quartier', locale: 'fr' });
    const contract = await makeContract(coordinator.caller, { name: 'Hébergement', organizationId: organization.id, tasks: ['Migration'] });
    const entry = await recordTime(alice.caller, { contractId: contract.id, taskId: contract.tasks[0]!.id, workDate: '2025-06-05', minutes: 240, billable: true });
    await approve(coordinator.caller, [entry.id]);
    const run = await accountant.post('/api/v1/billing-runs', { period: '2025-06' });
    await system(() => runs().continueRun(run.body.id));

    // Before the job has passed, un-approving asks billing, finds the line invoiced, and refuses.
    const refused = await coordinator.caller.post(`/api/v1/time-entries/${entry.id}/unapprove`, {});
    expect([refused.status, refused.body.error.code]).toEqual([409, 'time_entry_invoiced']);
    expect((await alice.caller.get(`/api/v1/time-entries/${entry.id}`)).body).toMatchObject({ locked: true, billing: { state: 'invoiced' } });

    // Once the job has passed, whatever the SQL, PostgreSQL refuses to change, un-approve or delete it.
    expect(await syncInvoiced()).toMatchObject({ locked: 1 });
    await expect(api.db.query(`UPDATE time_entries SET minutes = 60 WHERE id = $1`, [entry.id])).rejects.toThrow(/is invoiced: its content cannot change/);
    await expect(api.db.query(`UPDATE time_entries SET status = 'open', approved_at = NULL, approved_by = NULL, billing_state = NULL, billing_line_id = NULL WHERE id = $1`, [entry.id])).rejects.toThrow(/invoiced/);
    await expect(api.db.query(`DELETE FROM time_entries WHERE id = $1`, [entry.id])).rejects.toThrow(/is invoiced: it cannot be deleted/);
    await expect(api.db.query(`DELETE FROM time_billing_lines WHERE contract_id = $1`, [contract.id])).rejects.toThrow(/cannot be withdrawn/);
    await expect(api.db.query(`UPDATE time_billing_lines SET billed_minutes = 1 WHERE contract_id = $1`, [contract.id])).rejects.toThrow(/cannot change/);
    expect((await alice.caller.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 60 })).body.error.code).toBe('time_entry_invoiced');

    // Half an hour was forgotten: an adjusting entry, approved, goes on the next run's invoice.
    const adjustment = await alice.caller.post(`/api/v1/time-entries/${entry.id}/adjustments`, { minutes: 30, description: 'Tests après migration' });
    expect(adjustment.body).toMatchObject({ billable: true, minutes: 30 });
    await approve(coordinator.caller, [adjustment.body.id]);
    const next = await accountant.post('/api/v1/billing-runs', { period: '2025-07' });
    await system(() => runs().continueRun(next.body.id));
    expect(await timeLines(organization.id, '2025-06')).toEqual([['Hébergement — Migration, travail de juin 2025', '4.0000', '60.0000', '240.00']]);
    expect(await timeLines(organization.id, '2025-07')).toEqual([['Hébergement — Migration, travail de juin 2025', '0.5000', '60.0000', '30.00']]);
  });

  it('take an un-approved entry back from billing before the run; the others on its line go again', async () => {
    const organization = await makeOrganization(admin, { name: 'Radio communautaire', locale: 'en' });
    const contract = await makeContract(coordinator.caller, { name: 'Streaming', organizationId: organization.id });
    const kept = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-08-04', minutes: 60, billable: true });
    const recalled = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-08-05', minutes: 120, billable: true });
    await approve(coordinator.caller, [kept.id, recalled.id]);
    const back = await coordinator.caller.post(`/api/v1/time-entries/${recalled.id}/unapprove`, {});
    expect([back.status, back.body.status, back.body.billing]).toEqual([200, 'open', null]);
    expect((await alice.caller.get(`/api/v1/time-entries/${kept.id}`)).body.billing.state).toBe('submitted');
    const run = await accountant.post('/api/v1/billing-runs', { period: '2025-08' });
    await system(() => runs().continueRun(run.body.id));
    expect(await timeLines(organization.id, '2025-08')).toEqual([['Streaming, work in August 2025', '1.0000', '60.0000', '60.00']]);
  });

  it('warn at 80 % of a capped contract, and bill nothing past its cap', async () => {
    const organization = await makeOrganization(admin, { name: 'Coop d’habitation', locale: 'fr' });
    const contract = await makeContract(coordinator.caller, { name: 'Site de la coop', kind: 'capped', capHours: '10', hourlyRate: '50.00', organizationId: organization.id });
    const a = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-09-02', minutes: 7 * 60, billable: true });
    expect(a.warnings).toEqual([]);
    const b = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-09-03', minutes: 60, billable: true });
    expect(b.warnings).toEqual([expect.objectContaining({ code: 'contract_cap_near', percent: 80, usedHours: '8.00', capHours: '10.00', message: 'Contract Site de la coop has used 8.00 of its 10.00 hours (80 %).' })]);
    const mails = await mailsTo(api, coordinator.email);
    expect(mails.map((mail) => mail.subject)).toContain('Contract Site de la coop: 80 % of its hours used');
    const c = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-09-04', minutes: 3 * 60, billable: true });
    expect(c.warnings.map((warning) => warning.code)).toEqual(['contract_cap_reached']);
    // Warned once by mail, not at every entry.
    expect((await mailsTo(api, coordinator.email)).filter((mail) => mail.subject.includes('Site de la coop'))).toHaveLength(1);
    const d = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-09-05', minutes: 60, billable: true });

    await approve(coordinator.caller, [a.id, b.id, c.id, d.id]);
    const view = (await alice.caller.get(`/api/v1/contracts/${contract.id}`)).body;
    expect(view.cap).toEqual({ hours: '10.00', usedHours: '12.00', billedHours: '10.00', percent: 120, level: 'reached' });
    expect((await alice.caller.get(`/api/v1/time-entries/${d.id}`)).body.billing.state).toBe('over_cap');
    const run = await accountant.post('/api/v1/billing-runs', { period: '2025-09' });
    await system(() => runs().continueRun(run.body.id));
    expect(await timeLines(organization.id, '2025-09')).toEqual([['Site de la coop, travail de septembre 2025', '10.0000', '50.0000', '500.00']]);
    const report = (await alice.caller.get(`/api/v1/reports/contracts?contractId=${contract.id}`)).body.data[0];
    expect(report).toMatchObject({ budgetHours: '10.00', budget: '500.00', recordedHours: '12.00', billedHours: '10.00', overCapHours: '2.00', revenue: '500.00', percentOfBudgetHours: 120 });

    // The client agrees to 12 hours: what the cap cut off is billed on the next run, and no more.
    expect((await coordinator.caller.patch(`/api/v1/contracts/${contract.id}`, { capHours: '12' })).body.cap).toMatchObject({ billedHours: '12.00', level: 'reached' });
    expect((await coordinator.caller.patch(`/api/v1/contracts/${contract.id}`, { capHours: '11' })).body.error.code).toBe('cap_below_billed');
    const next = await accountant.post('/api/v1/billing-runs', { period: '2025-10' });
    await system(() => runs().continueRun(next.body.id));
    expect(await timeLines(organization.id, '2025-10')).toEqual([
      ['Site de la coop, travail de septembre 2025', '1.0000', '50.0000', '50.00'],
      ['Site de la coop, travail de septembre 2025', '1.0000', '50.0000', '50.00'],
    ]);
  });
});

