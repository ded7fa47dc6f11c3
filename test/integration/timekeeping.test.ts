import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeOrganization, makeStaff } from '../support/factories.js';
import { approve, committeesByCode, makeContract, recordTime } from '../support/timekeeping.js';

let api: TestApi;
let admin: Caller;
let coordinator: Caller;
let alice: { caller: Caller; userId: string };
let bob: { caller: Caller; userId: string };
let client: Caller;
let project: { id: string };
let contract: { id: string; tasks: Array<{ id: string; name: string }> };
let committees: Record<string, string>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  coordinator = (await makeStaff(api, admin, ['worker', 'coordinator'])).caller;
  alice = await makeStaff(api, admin, ['worker']);
  bob = await makeStaff(api, admin, ['worker']);
  const organization = await makeOrganization(admin, { name: 'Centre communautaire' });
  client = (await makeClient(api, admin, organization.id)).caller;
  project = await makeContract(coordinator, { name: 'Vie de la coop', kind: 'internal', hourlyRate: undefined });
  contract = await makeContract(coordinator, { name: 'Refonte du site', organizationId: organization.id, tasks: ['Design', 'Intégration'] });
  committees = await committeesByCode(coordinator);
});
afterAll(() => api?.close());

describe('time entries', () => {
  it('round recorded time once, by the configured rule, and show both figures', async () => {
    const entry = await recordTime(alice.caller, { contractId: project.id, workDate: '2025-02-03', minutes: 50, description: 'Inventaire' });
    expect([entry.recordedMinutes, entry.minutes, entry.rounding]).toEqual([50, 60, 'up:15']);
    const changed = await alice.caller.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 31 });
    expect([changed.status, changed.body.recordedMinutes, changed.body.minutes, changed.body.hours]).toEqual([200, 31, 45, '0.75']);
    // Three calls of five minutes are three quarter hours: each entry is rounded, never their sum.
    for (const day of ['2025-02-04', '2025-02-05', '2025-02-06']) await recordTime(alice.caller, { contractId: project.id, workDate: day, minutes: 5 });
    const report = await alice.caller.get(`/api/v1/reports/hours?from=2025-02-04&to=2025-02-06&workerId=${alice.userId}`);
    expect(report.body.data).toEqual([expect.objectContaining({ month: '2025-02', workHours: '0.75', totalHours: '0.75' })]);
  });

  it('let a worker change and delete only their own open entries', async () => {
    const entry = await recordTime(alice.caller, { contractId: contract.id, taskId: contract.tasks[0]!.id, workDate: '2025-02-10', minutes: 120, description: 'Maquettes' });
    for (const response of [
      await bob.caller.get(`/api/v1/time-entries/${entry.id}`),
      await bob.caller.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 600 }),
      await bob.caller.delete(`/api/v1/time-entries/${entry.id}`),
      await bob.caller.post(`/api/v1/time-entries/${entry.id}/adjustments`, { minutes: 60, description: 'x' }),
      await bob.caller.get(`/api/v1/time-entries?workerId=${alice.userId}`),
    ]) {
      expect([response.status, response.body.error?.code]).toEqual([404, 'not_found']);
    }
    expect((await bob.caller.get('/api/v1/time-entries')).body.data.map((e: { id: string }) => e.id)).not.toContain(entry.id);
    // A coordinator sees it, and still may not rewrite it.
    expect((await coordinator.get(`/api/v1/time-entries/${entry.id}`)).body).toMatchObject({ workerId: alice.userId, minutes: 120, taskName: 'Design' });
    expect((await coordinator.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 600 })).body.error.code).toBe('time_entry_not_yours');
    // Nor may a worker record time in another's name.
    expect((await bob.caller.post('/api/v1/time-entries', { workerId: alice.userId, contractId: project.id, workDate: '2025-02-10', minutes: 60 })).status).toBe(403);
    expect((await api.db.query(`SELECT minutes FROM time_entries WHERE id = $1`, [entry.id]))[0].minutes).toBe(120);
    expect((await alice.caller.delete(`/api/v1/time-entries/${entry.id}`)).status).toBe(204);
  });

  it('freeze an entry once approved, in the API and in the database; a correction is an adjusting entry', async () => {
    const entry = await recordTime(alice.caller, { contractId: project.id, workDate: '2025-02-11', minutes: 90, description: 'Comptabilité' });
    expect((await alice.caller.post('/api/v1/time-entries/approve', { ids: [entry.id] })).status).toBe(403);
    const approved = await approve(coordinator, [entry.id]);
    expect(approved.approved.map((e) => e.id)).toEqual([entry.id]);
    expect((await approve(coordinator, [entry.id])).alreadyApproved).toEqual([entry.id]);

    const edit = await alice.caller.patch(`/api/v1/time-entries/${entry.id}`, { description: 'autre chose' });
    expect([edit.status, edit.body.error.code]).toEqual([409, 'time_entry_approved']);
    expect((await alice.caller.delete(`/api/v1/time-entries/${entry.id}`)).status).toBe(409);
    await expect(api.db.query(`UPDATE time_entries SET minutes = 15 WHERE id = $1`, [entry.id])).rejects.toThrow(/approved: its content cannot change/);
    await expect(api.db.query(`DELETE FROM time_entries WHERE id = $1`, [entry.id])).rejects.toThrow(/approved: it cannot be deleted/);

    // Less time than approved: an adjusting entry of signed minutes, not rounded, to approve in turn.
    const adjustment = await alice.caller.post(`/api/v1/time-entries/${entry.id}/adjustments`, { minutes: -20, description: 'Pause comptée par erreur' });
    expect(adjustment.status, JSON.stringify(adjustment.body)).toBe(201);
    expect(adjustment.body).toMatchObject({ minutes: -20, recordedMinutes: -20, rounding: 'none', adjustsEntryId: entry.id, status: 'open', workDate: '2025-02-11' });
    expect((await alice.caller.post(`/api/v1/time-entries/${entry.id}/adjustments`, { minutes: -80, description: 'trop' })).body.error.code).toBe('time_entry_adjustment_too_large');
    const open = await recordTime(alice.caller, { contractId: project.id, workDate: '2025-02-12', minutes: 30 });
    expect((await alice.caller.post(`/api/v1/time-entries/${open.id}/adjustments`, { minutes: 15, description: 'x' })).body.error.code).toBe('time_entry_open');

    // Sent back to its worker, it can change again.
    const back = await coordinator.post(`/api/v1/time-entries/${entry.id}/unapprove`, {});
    expect([back.status, back.body.status]).toEqual([200, 'open']);
    expect((await alice.caller.patch(`/api/v1/time-entries/${entry.id}`, { description: 'Comptabilité de février' })).status).toBe(200);
  });

  it('check what time is recorded against', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const response = await alice.caller.post('/api/v1/time-entries', { workDate: '2025-02-03', minutes: 60, ...body });
      return [response.status, response.body.error.code, response.body.error.details?.[0]?.code];
    };
    expect(await bad({ category: 'committee_meeting' })).toEqual([422, 'validation_failed', 'committee_for_meetings']);
    expect(await bad({ category: 'work' })).toEqual([422, 'validation_failed', 'contract_required']);
    expect(await bad({ contractId: project.id, billable: true })).toEqual([422, 'contract_not_billable', undefined]);
    expect(await bad({ contractId: project.id, taskId: contract.tasks[0]!.id })).toEqual([422, 'task_not_in_contract', undefined]);
    expect(await bad({ contractId: project.id, workDate: '2999-01-01' })).toEqual([422, 'work_date_in_future', undefined]);
    expect(await bad({ contractId: contract.id, workDate: '2019-12-31' })).toEqual([422, 'work_date_outside_contract', undefined]);
    expect(await bad({ contractId: project.id, minutes: 0 })).toEqual([422, 'validation_failed', 'too_small']);
    // The message is in the caller's language.
    expect((await alice.caller.patch('/api/v1/auth/me', { locale: 'fr' })).status).toBe(200);
    const french = await alice.caller.post('/api/v1/time-entries', { contractId: project.id, workDate: '2999-01-01', minutes: 60 });
    expect(french.body.error.message).toBe('On ne peut pas saisir d’heures pour un jour à venir (2999-01-01).');
    expect((await alice.caller.patch('/api/v1/auth/me', { locale: 'en' })).status).toBe(200);
    // Meetings need no contract; a committee meeting names its committee.
    const meeting = await recordTime(alice.caller, { category: 'committee_meeting', committeeId: committees.production, workDate: '2025-02-04', minutes: 60 });
    expect(meeting.minutes).toBe(60);
  });

  it('run one timer per worker, which becomes an entry when stopped', async () => {
    const started = await bob.caller.post('/api/v1/timers', { contractId: contract.id, taskId: contract.tasks[1]!.id, description: 'Intégration du thème', billable: true });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const again = await bob.caller.post('/api/v1/timers', { contractId: project.id });
    expect([again.status, again.body.error.code]).toEqual([409, 'timer_running']);
    // The database holds the rule whatever the code: one running timer per worker.
    await expect(
      api.db.query(`INSERT INTO timers (id, worker_id, started_at, contract_id, category) VALUES (gen_random_uuid(), $1, now(), $2, 'work')`, [bob.userId, project.id]),
    ).rejects.toThrow(/timers_one_running_per_worker/);
    expect((await bob.caller.get('/api/v1/timers')).body.data.map((t: { id: string }) => t.id)).toEqual([started.body.id]);
    expect((await alice.caller.post(`/api/v1/timers/${started.body.id}/stop`, {})).status).toBe(404);

    const stopped = await bob.caller.post(`/api/v1/timers/${started.body.id}/stop`, {});
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    expect(stopped.body).toMatchObject({ workerId: bob.userId, recordedMinutes: 1, minutes: 15, rounding: 'up:15', contractId: contract.id, taskName: 'Intégration', billable: true, description: 'Intégration du thème' });
    expect((await bob.caller.post(`/api/v1/timers/${started.body.id}/stop`, {})).body.error.code).toBe('timer_stopped');
    expect((await bob.caller.get('/api/v1/timers')).body.data).toEqual([]);

    const discarded = await bob.caller.post('/api/v1/timers', { category: 'reflection_meeting' });
    expect((await bob.caller.delete(`/api/v1/timers/${discarded.body.id}`)).status).toBe(204);
    expect((await api.db.query(`SELECT count(*)::int AS n FROM time_entries WHERE worker_id = $1`, [bob.userId]))[0].n).toBe(1);
  });

  it('tell a client that time entries do not exist, and keep the rest of timekeeping from them', async () => {
    const entry = await recordTime(alice.caller, { contractId: contract.id, workDate: '2025-02-13', minutes: 60 });
    for (const response of [
      await client.get('/api/v1/time-entries'),
      await client.get(`/api/v1/time-entries/${entry.id}`),
      await client.post('/api/v1/time-entries', { contractId: contract.id, workDate: '2025-02-13', minutes: 60 }),
      await client.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 1 }),
      await client.get('/api/v1/timers'),
    ]) {
      expect([response.status, response.body.error.code]).toEqual([404, 'not_found']);
    }
    expect((await client.get(`/api/v1/contracts/${contract.id}`)).body.error.code).toBe('missing_scope');
    expect((await client.get('/api/v1/reports/eligibility')).body.error.code).toBe('missing_scope');
  });

  it('seed the co-op’s committees in French and English, and let coordinators add ad hoc ones', async () => {
    const list = (await alice.caller.get('/api/v1/committees')).body.data;
    expect(list.filter((c: { kind: string }) => c.kind === 'permanent').map((c: { code: string; nameFr: string; nameEn: string }) => [c.code, c.nameFr, c.nameEn])).toEqual(
      expect.arrayContaining([
        ['work', 'Comité de travail', 'Work committee'],
        ['production', 'Comité de production', 'Production committee'],
        ['sysadmin', 'Comité sysadmin', 'Sysadmin committee'],
        ['community', 'Comité vie communautaire', 'Community life committee'],
      ]),
    );
    expect(list.filter((c: { kind: string }) => c.kind === 'permanent')).toHaveLength(7);
    expect((await alice.caller.post('/api/v1/committees', { code: 'party', nameFr: 'Fête', nameEn: 'Party' })).status).toBe(403);
    const adHoc = await coordinator.post('/api/v1/committees', { code: 'anniversary', nameFr: 'Comité des 20 ans', nameEn: '20th anniversary committee' });
    expect([adHoc.status, adHoc.body.kind]).toEqual([201, 'ad_hoc']);
    expect((await coordinator.patch(`/api/v1/committees/${adHoc.body.id}`, { archived: true })).body.archived).toBe(true);
    const refused = await alice.caller.post('/api/v1/time-entries', { category: 'committee_meeting', committeeId: adHoc.body.id, workDate: '2025-02-03', minutes: 60 });
    expect(refused.body.error.code).toBe('committee_archived');
  });

  it('keep effective-dated rates as rows: the co-op’s 21.50 since 2006 and each contract’s', async () => {
    const coop = (await alice.caller.get('/api/v1/rates')).body.data;
    expect(coop.map((r: { effectiveFrom: string; hourlyRate: string }) => [r.effectiveFrom, r.hourlyRate])).toEqual([['2006-07-01', '21.50']]);
    expect((await alice.caller.post('/api/v1/rates', { effectiveFrom: '2030-01-01', hourlyRate: '30.00' })).status).toBe(403);
    expect((await coordinator.post('/api/v1/rates', { effectiveFrom: '2006-07-01', hourlyRate: '22.00' })).body.error.code).toBe('rate_exists');
    const contractRate = await coordinator.post('/api/v1/rates', { contractId: contract.id, effectiveFrom: '2026-01-01', hourlyRate: '65.00' });
    expect(contractRate.status, JSON.stringify(contractRate.body)).toBe(201);
    expect((await alice.caller.get(`/api/v1/rates?contractId=${contract.id}`)).body.data.map((r: { hourlyRate: string }) => r.hourlyRate)).toEqual(['60.00', '65.00']);
    await expect(api.db.query(`UPDATE hourly_rates SET hourly_rate = 99 WHERE contract_id IS NULL`)).rejects.toThrow(/append-only/);
  });

  it('export a worker’s time as CSV', async () => {
    const csv = await alice.caller.get('/api/v1/time-entries?format=csv&from=2025-02-01&to=2025-02-28');
    expect([csv.status, csv.headers['content-type']]).toEqual([200, 'text/csv; charset=utf-8']);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('id,worker_id,worker,work_date,category,committee,contract,task,description,recorded_minutes,minutes,hours,rounding,billable,volunteer,status,billing,invoice_number,paid_on,adjusts_entry_id');
    expect(lines.find((line) => line.includes('Comptabilité de février'))).toContain(',2025-02-11,work,,Vie de la coop,,Comptabilité de février,90,90,1.50,up:15,no,no,open,');
    expect(lines.slice(1).every((line) => line.includes(alice.userId))).toBe(true);
  });
});
