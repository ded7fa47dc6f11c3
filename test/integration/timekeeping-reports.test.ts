import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeOrganization, makeStaff } from '../support/factories.js';
import { approve, committeesByCode, makeContract, makeWorkerAccount, recordTime } from '../support/timekeeping.js';

let api: TestApi;
let admin: Caller;
let coordinator: Caller;
let alice: { caller: Caller; userId: string };
let project: { id: string };
let committees: Record<string, string>;

beforeAll(async () => {
  // This co-op keeps durations as recorded: no rounding.
  api = await startTestApi({ RUCHE_TIME_ROUNDING: 'none' });
  admin = await api.admin();
  coordinator = (await makeStaff(api, admin, ['worker', 'coordinator'])).caller;
  alice = await makeStaff(api, admin, ['worker']);
  project = await makeContract(coordinator, { name: 'Vie de la coop', kind: 'internal', hourlyRate: undefined, startsOn: '2006-01-01' });
  committees = await committeesByCode(coordinator);
  // A second co-op rate: 23.00 from 2010.
  expect((await coordinator.post('/api/v1/rates', { effectiveFrom: '2010-01-01', hourlyRate: '23.00' })).status).toBe(201);
});
afterAll(() => api?.close());

/** Time a coordinator records for a worker (a paper timesheet, say). */
const record = (workerId: string, workDate: string, minutes: number, fields: Record<string, unknown> = {}) =>
  recordTime(coordinator, { workerId, workDate, minutes, ...(String(fields.category).endsWith('_meeting') ? {} : { contractId: project.id }), ...fields });
const meeting = (workerId: string, workDate: string, committee: string, minutes = 60) => record(workerId, workDate, minutes, { category: 'committee_meeting', committeeId: committees[committee] });
const reflection = (workerId: string, workDate: string, minutes = 120) => record(workerId, workDate, minutes, { category: 'reflection_meeting' });

describe('timekeeping reports', () => {
  it('keep durations as configured: with no rounding, seven minutes stay seven', async () => {
    const entry = await recordTime(alice.caller, { contractId: project.id, workDate: '2024-05-06', minutes: 7 });
    expect([entry.recordedMinutes, entry.minutes, entry.rounding]).toEqual([7, 7, 'none']);
  });

  it('pay hours × the co-op rate in force on each entry’s day, across a rate change; a pay run locks what it paid', async () => {
    const payee = await makeWorkerAccount(admin, 'Paulette');
    const paid = [
      await record(payee.id, '2009-12-30', 600), // 10 h at 21.50
      await record(payee.id, '2009-12-31', 45), // 0.75 h at 21.50
      await record(payee.id, '2010-01-04', 300), // 5 h at 23.00
      await record(payee.id, '2010-01-05', 120, { volunteer: true }), // never paid
    ];
    await record(payee.id, '2010-01-06', 60); // not approved yet
    await approve(coordinator, paid.map((entry) => entry.id));

    const report = await alice.caller.get('/api/v1/reports/pay?from=2009-12-01&to=2010-01-31');
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const row = report.body.workers.find((w: { workerId: string }) => w.workerId === payee.id);
    expect(row.segments.map((s: Record<string, string>) => [s.effectiveFrom, s.hourlyRate, s.hours, s.amount])).toEqual([
      ['2006-07-01', '21.50', '10.75', '231.13'],
      ['2010-01-01', '23.00', '5.00', '115.00'],
    ]);
    expect(row).toMatchObject({ displayName: 'Paulette', hours: '15.75', amount: '346.13', pendingHours: '1.00', volunteerHours: '2.00', contractShareHours: '0.00' });

    const csv = await alice.caller.get('/api/v1/reports/pay?from=2009-12-01&to=2010-01-31&format=csv');
    expect((csv.body as string).split('\r\n')).toEqual(expect.arrayContaining([
      'worker_id,worker,rate_from,hourly_rate,hours,amount,pending_hours,volunteer_hours,contract_share_hours',
      `${payee.id},Paulette,2006-07-01,21.50,10.75,231.13,,,`,
      `${payee.id},Paulette,2010-01-01,23.00,5.00,115.00,,,`,
      `${payee.id},Paulette,total,,15.75,346.13,1.00,2.00,0.00`,
    ]));

    // Wages through January are paid: those entries are locked, and no rate may reach back into them.
    expect((await alice.caller.post('/api/v1/pay-runs', { through: '2010-01-31', paidOn: '2010-02-05' })).status).toBe(403);
    const run = await coordinator.post('/api/v1/pay-runs', { through: '2010-01-31', paidOn: '2010-02-05' });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body).toMatchObject({ entries: 3, hours: '15.75', total: '346.13', workers: [{ workerId: payee.id, hours: '15.75', amount: '346.13' }] });
    expect((await coordinator.post('/api/v1/pay-runs', { through: '2010-01-31', paidOn: '2010-02-06' })).body.error.code).toBe('pay_run_empty');
    await expect(api.db.query(`UPDATE time_entries SET status = 'open', approved_at = NULL, approved_by = NULL WHERE id = $1`, [paid[0]!.id])).rejects.toThrow(/paid: its approval cannot change/);
    await expect(api.db.query(`UPDATE time_entries SET pay_run_id = NULL WHERE id = $1`, [paid[0]!.id])).rejects.toThrow(/is paid by pay run/);
    await expect(api.db.query(`DELETE FROM time_entries WHERE id = $1`, [paid[2]!.id])).rejects.toThrow(/is paid: it cannot be deleted/);
    expect((await coordinator.post(`/api/v1/time-entries/${paid[0]!.id}/unapprove`, {})).body.error.code).toBe('time_entry_paid');
    expect((await coordinator.post('/api/v1/rates', { effectiveFrom: '2010-01-15', hourlyRate: '24.00' })).body.error.code).toBe('rate_before_pay_run');
    expect((await alice.caller.get(`/api/v1/time-entries/${paid[0]!.id}`)).status).toBe(404);
    expect((await coordinator.get(`/api/v1/time-entries/${paid[0]!.id}`)).body).toMatchObject({ paidOn: '2010-02-05', locked: true });
  });

  it('show a contract’s budget against actual, and the co-op’s share of a contract a freelancer brought', async () => {
    const freelancer = await makeWorkerAccount(admin, 'Fabien');
    expect((await coordinator.put(`/api/v1/workers/${freelancer.id}`, { status: 'freelancer' })).body.status).toBe('freelancer');
    const employee = await makeWorkerAccount(admin, 'Émile');
    const contract = await makeContract(coordinator, { name: 'Formation Drupal', kind: 'fixed_price', organizationId: (await makeOrganization(admin)).id, fixedPrice: '1000.00', hourlyRate: undefined, budgetHours: '20', broughtById: freelancer.id, startsOn: '2011-01-01' });
    const entries = [await record(freelancer.id, '2011-03-01', 600, { contractId: contract.id }), await record(employee.id, '2011-03-02', 120, { contractId: contract.id })];
    await record(employee.id, '2011-03-03', 60, { contractId: contract.id }); // not approved yet
    await approve(coordinator, entries.map((entry) => entry.id));

    const report = (await alice.caller.get(`/api/v1/reports/contracts?contractId=${contract.id}`)).body.data;
    expect(report).toEqual([
      expect.objectContaining({
        kind: 'fixed_price',
        budgetHours: '20.00',
        budget: '1000.00',
        recordedHours: '13.00',
        approvedHours: '12.00',
        percentOfBudgetHours: 65,
        revenue: '1000.00',
        // Only Émile's hours are wages (2 h × 23.00): Fabien is paid by his part of the contract.
        wageCost: '46.00',
        broughtById: freelancer.id,
        coopSharePercent: '30.00',
        coopShare: '300.00',
        freelancerShare: '700.00',
      }),
    ]);
    const pay = (await alice.caller.get('/api/v1/reports/pay?from=2011-03-01&to=2011-03-31')).body.workers;
    expect(pay.find((w: { workerId: string }) => w.workerId === freelancer.id)).toMatchObject({ status: 'freelancer', amount: '0.00', contractShareHours: '10.00' });
    expect(pay.find((w: { workerId: string }) => w.workerId === employee.id)).toMatchObject({ amount: '46.00', pendingHours: '1.00' });
    const csv = (await alice.caller.get(`/api/v1/reports/contracts?contractId=${contract.id}&format=csv`)).body as string;
    expect(csv).toContain(',1000.00,46.00,30.00,300.00,700.00');
  });

  it('judge work-committee eligibility at a date on workers built to hit each criterion’s edge', async () => {
    const w = {
      ariane: await makeWorkerAccount(admin, 'Ariane'), // exactly at every edge
      basile: await makeWorkerAccount(admin, 'Basile'), // 9.9 h in January
      chloe: await makeWorkerAccount(admin, 'Chloé'), // two meetings of one committee
      denis: await makeWorkerAccount(admin, 'Denis'), // one reflection meeting
      elise: await makeWorkerAccount(admin, 'Élise'), // her second committee met the day before the window
      felix: await makeWorkerAccount(admin, 'Félix'), // parental leave in February, excused
      gabriel: await makeWorkerAccount(admin, 'Gabriel'), // meetings do not make up for work
    };
    // The reflection meeting of 2025-03-04 looks at January and February 2025.
    for (const [name, worker] of Object.entries(w)) {
      const january = name === 'basile' ? 594 : name === 'gabriel' ? 540 : 600;
      const february = name === 'felix' ? 120 : 600;
      await record(worker.id, '2025-01-15', january);
      await record(worker.id, '2025-02-12', february);
      await reflection(worker.id, '2025-01-07');
      if (name !== 'denis') await reflection(worker.id, '2025-02-04');
      await meeting(worker.id, '2025-01-14', 'production');
      if (name === 'chloe') await meeting(worker.id, '2025-02-11', 'production');
      else if (name === 'elise') await meeting(worker.id, '2024-12-31', 'sysadmin');
      else await meeting(worker.id, '2025-02-11', 'sysadmin', name === 'gabriel' ? 240 : 60);
    }
    await record(w.gabriel.id, '2025-01-21', 120, { category: 'committee_meeting', committeeId: committees.hiring });
    // Nadia recorded nothing; Gaston left the co-op.
    const nadia = await makeWorkerAccount(admin, 'Nadia');
    const gaston = await makeWorkerAccount(admin, 'Gaston');
    await record(gaston.id, '2025-01-15', 600);
    expect((await coordinator.put(`/api/v1/workers/${gaston.id}`, { active: false })).body.active).toBe(false);
    // The work committee excused Félix for February; recorded by a coordinator, read by everyone.
    expect((await alice.caller.post('/api/v1/eligibility-exceptions', { workerId: w.felix.id, from: '2025-02-01', to: '2025-02-28', criteria: ['monthly_hours'], reason: 'x', grantedBy: 'x', decidedOn: '2025-02-04' })).status).toBe(403);
    const exception = await coordinator.post('/api/v1/eligibility-exceptions', { workerId: w.felix.id, from: '2025-02-01', to: '2025-02-28', criteria: ['monthly_hours'], reason: 'Congé parental', grantedBy: 'Comité de travail du 2025-02-04', decidedOn: '2025-02-04' });
    expect(exception.status, JSON.stringify(exception.body)).toBe(201);

    // Every worker reads everyone's eligibility: the co-op's transparency.
    const response = await alice.caller.get('/api/v1/reports/eligibility?date=2025-03-04');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const report = response.body;
    expect([report.from, report.to, report.months]).toEqual(['2025-01-01', '2025-02-28', ['2025-01', '2025-02']]);
    const row = (worker: { id: string }) => report.workers.find((r: { workerId: string }) => r.workerId === worker.id);
    const summary = (worker: { id: string }) => {
      const r = row(worker);
      return [r.committees.figure, r.reflectionMeetings.figure, r.monthlyHours.figure.map((m: { hours: string }) => m.hours), r.eligible, r.atRisk];
    };
    expect(summary(w.ariane)).toEqual([2, 2, ['10.00', '10.00'], true, false]);
    expect(summary(w.basile)).toEqual([2, 2, ['9.90', '10.00'], false, true]);
    expect(summary(w.chloe)).toEqual([1, 2, ['10.00', '10.00'], false, false]);
    expect(summary(w.denis)).toEqual([2, 1, ['10.00', '10.00'], false, false]);
    expect(summary(w.elise)).toEqual([1, 2, ['10.00', '10.00'], false, false]);
    expect(summary(w.felix)).toEqual([2, 2, ['10.00', '2.00'], true, false]);
    expect(summary(w.gabriel)).toEqual([3, 2, ['9.00', '10.00'], false, true]);
    expect(row(w.felix).monthlyHours).toMatchObject({ met: false, waived: true });
    expect(row(w.felix).exceptions).toEqual([expect.objectContaining({ reason: 'Congé parental', grantedBy: 'Comité de travail du 2025-02-04', criteria: ['monthly_hours'] })]);
    expect(row(w.ariane).committees.committeeIds.map((id: string) => report.committees[id]).sort()).toEqual(['production', 'sysadmin']);
    expect(report.atRisk).toEqual(expect.arrayContaining([w.basile.id, w.gabriel.id]));
    expect(report.atRisk).not.toContain(w.felix.id);
    expect(summary(nadia)).toEqual([0, 0, ['0.00', '0.00'], false, true]);
    expect(row(gaston)).toBeUndefined();

    // The meeting of 2025-02-04 looks at December and January instead: Élise's December meeting counts then.
    const earlier = (await alice.caller.get('/api/v1/reports/eligibility?date=2025-02-04')).body;
    expect(earlier.workers.find((r: { workerId: string }) => r.workerId === w.elise.id).committees.figure).toBe(2);

    const csv = (await alice.caller.get('/api/v1/reports/eligibility?date=2025-03-04&format=csv')).body as string;
    expect(csv.split('\r\n')[0]).toBe('worker_id,worker,status,committees,committees_met,reflection_meetings,reflection_meetings_met,hours_2025-01,hours_2025-02,monthly_hours_met,total_work_hours,exceptions,eligible,at_risk');
    expect(csv).toContain(`${w.felix.id},Félix,member,2,yes,2,yes,10.00,2.00,waived,12.00,"Congé parental (Comité de travail du 2025-02-04, 2025-02-04)",yes,no`);
  });

  it('count hours per worker per month, meetings apart, and volunteer hours', async () => {
    const worker = await makeWorkerAccount(admin, 'Hélène');
    await record(worker.id, '2024-03-05', 300);
    await record(worker.id, '2024-03-06', 90, { category: 'training' });
    await record(worker.id, '2024-03-07', 120, { volunteer: true });
    await meeting(worker.id, '2024-03-12', 'communication', 45);
    await reflection(worker.id, '2024-04-02', 120);
    const hours = (await alice.caller.get(`/api/v1/reports/hours?from=2024-03-01&to=2024-04-30&workerId=${worker.id}`)).body.data;
    expect(hours.map((r: Record<string, string>) => [r.month, r.workHours, r.meetingHours, r.volunteerHours, r.totalHours])).toEqual([
      ['2024-03', '8.50', '0.75', '2.00', '9.25'],
      ['2024-04', '0.00', '2.00', '0.00', '2.00'],
    ]);
    const unpaid = (await alice.caller.get('/api/v1/reports/unpaid-hours?from=2024-01-01&to=2024-12-31')).body.data;
    expect(unpaid.find((r: { workerId: string }) => r.workerId === worker.id)).toEqual({ workerId: worker.id, displayName: 'Hélène', volunteerHours: '2.00', months: [{ month: '2024-03', volunteerHours: '2.00' }] });
    const csv = (await alice.caller.get(`/api/v1/reports/hours?from=2024-03-01&to=2024-04-30&workerId=${worker.id}&format=csv`)).body as string;
    expect(csv).toBe(`worker_id,worker,month,work_hours,meeting_hours,billable_hours,volunteer_hours,total_hours\r\n${worker.id},Hélène,2024-03,8.50,0.75,0.00,2.00,9.25\r\n${worker.id},Hélène,2024-04,0.00,2.00,0.00,0.00,2.00\r\n`);
    expect((await alice.caller.get('/api/v1/reports/hours?from=2024-04-30&to=2024-03-01')).status).toBe(422);
  });
});
