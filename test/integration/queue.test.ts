import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { z } from 'zod';
import { defineJob, Metrics, QueueService, QueueWorker, TransactionalConnection, UsersService, RequestContext, createLogger } from '@ruche/core';
import { PROVISIONING_SETTINGS } from '@ruche/provisioning';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeOrganization } from '../support/factories.js';

let api: TestApi;
let admin: Caller;
let worker: INestApplicationContext | undefined;

/** The one worker of this file (started by the first test that needs it), polling every 10 s, resyncing every 15 min. */
const startWorker = async () =>
  (worker ??= await createWorker(
    {
      ...api.config,
      queuePollIntervalMs: 10_000,
      features: { ...api.config.features, provisioning: { ...PROVISIONING_SETTINGS.of(api.config), resyncIntervalMinutes: 15 } },
    },
    createLogger('silent'),
    api.config.databaseUrl!,
  ));

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await api?.close();
});

const jobCount = async (task: string) =>
  (await api.db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1`, [task]))[0].n as number;

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);

describe('the job queue', () => {
  it('enqueues nothing when the transaction that enqueued rolls back', async () => {
    const db = api.app.get(TransactionalConnection);
    const users = api.app.get(UsersService);
    const before = await jobCount('core:send-mail');
    await expect(
      system(() =>
        db.withTransaction(async () => {
          await users.create({ email: 'rolled-back@example.org' }); // writes the user, the mail, and enqueues its delivery
          expect(await db.query(`SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = 'core:send-mail'`)).not.toHaveLength(0);
          throw new Error('the request failed after enqueueing');
        }),
      ),
    ).rejects.toThrow('the request failed');
    expect(await jobCount('core:send-mail')).toBe(before);
    expect(await api.db.query(`SELECT 1 FROM users WHERE email = 'rolled-back@example.org'`)).toHaveLength(0);
    expect(await api.db.query(`SELECT 1 FROM outbound_mail WHERE recipient = 'rolled-back@example.org'`)).toHaveLength(0);
  });

  it('wakes a worker at once for a committed job (LISTEN/NOTIFY, not polling)', async () => {
    // Polling every 10 s: an answer well within that can only come from the notification.
    await startWorker();
    const org = await makeOrganization(admin);
    const committedAt = Date.now();
    const added = await admin.post(`/api/v1/organizations/${org.id}/members`, { email: 'queued@example.org', role: 'owner' });
    expect(added.status).toBe(201);
    // No SMTP server is configured: the worker records the message as skipped, with the reason.
    const mail = await waitFor(async () => {
      const [row] = await api.db.query(`SELECT status, last_error FROM outbound_mail WHERE recipient = 'queued@example.org'`);
      return row?.status !== 'queued' ? row : undefined;
    });
    const elapsed = Date.now() - committedAt;
    expect(mail).toEqual({ status: 'skipped', last_error: 'RUCHE_SMTP_URL is not set' });
    // Far below the worker's 10 s polling interval: the wake-up came from NOTIFY.
    expect(elapsed).toBeLessThan(5_000);
    // The job row goes once its handler has returned.
    await waitFor(async () => (await jobCount('core:send-mail')) === 0);
  });

  it('schedules the periodic jobs the features declare, at the configured intervals', async () => {
    expect((await startWorker()).get(QueueWorker).crontab().sort()).toEqual([
      '*/10 * * * * timekeeping:sync-invoiced ?fill=1h {}',
      '*/15 * * * * provisioning:resync-all ?fill=1h {}',
      '0 2 1 * * billing:scheduled-run ?fill=1h {}',
      '17 * * * * core:housekeeping ?fill=1h {}',
      '30 3 * * * provisioning:purge-archives ?fill=1h {}',
      '40 23 * * * provisioning:measure-storage ?fill=1h {}',
      '5 0 * * * hosting:sample-usage ?fill=1h {}',
    ]);
  });

  it('runs a scheduled job with the payload graphile-worker’s crontab gives it (its `_cron` mark included)', async () => {
    await startWorker();
    const organization = await makeOrganization(admin);
    const today = new Date().toISOString().slice(0, 10);
    // What the crontab line `5 0 * * * hosting:sample-usage` enqueues when it is due.
    await api.db.query(`SELECT graphile_worker.add_job('hosting:sample-usage', json_build_object('_cron', json_build_object('ts', now(), 'backfilled', false)))`);
    const samples = await waitFor(async () => {
      const rows = await api.db.query(`SELECT meter FROM usage_samples WHERE organization_id = $1 AND day = $2`, [organization.id, today]);
      return rows.length > 0 ? rows : null;
    }, 30_000);
    expect(samples.map((row: { meter: string }) => row.meter)).toContain('domains');
  });

  it('coalesces jobs that share a key', async () => {
    const queue = api.app.get(QueueService);
    const db = api.app.get(TransactionalConnection);
    const runAt = new Date(Date.now() + 3_600_000);
    const coalesce = defineJob('test:coalesce', z.strictObject({ i: z.number().int() }));
    for (let i = 0; i < 5; i++) {
      await system(() => db.withTransaction(() => queue.enqueue(coalesce, { i }, { jobKey: 'server-1:web', runAt })));
    }
    const rows = await api.db.query(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'test:coalesce'`,
    );
    expect(rows).toEqual([{ payload: { i: 4 } }]);
  });

  it('checks every payload against its job: refused when enqueued, and never handed to a handler when it starts', async () => {
    const queue = api.app.get(QueueService);
    const db = api.app.get(TransactionalConnection);
    const sendMail = (await startWorker()).get(QueueWorker).handlers().get('core:send-mail')!.job;
    await expect(system(() => db.withTransaction(() => queue.enqueue(sendMail, { mailId: 'not-an-id' } as never)))).rejects.toThrow(/mailId/);
    // Written behind the service's back (an older version, a hand-made job): the worker refuses it.
    const metrics = worker!.get(Metrics);
    const refused = async () => (await metrics.jobsRefused.get()).values.find((value) => value.labels.task === 'core:send-mail')?.value ?? 0;
    const before = await refused();
    await api.db.query(`SELECT graphile_worker.add_job('core:send-mail', '{"mailId": 42}'::json)`);
    // The refusal is counted, then the job leaves the queue: wait for both (the second follows the first by a moment).
    await waitFor(async () => (await refused()) === before + 1 && (await jobCount('core:send-mail')) === 0);
    expect(await refused()).toBe(before + 1);
    expect(await jobCount('core:send-mail')).toBe(0);
  });
});
