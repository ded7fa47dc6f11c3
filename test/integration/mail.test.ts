import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailService, OutboundMail, RequestContext, TransactionalConnection } from '@ruche/core';
import { startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);

describe('outgoing mail', () => {
  it('queues many messages with one delivery job, and delivers each (recorded as skipped without SMTP)', async () => {
    const mail = api.app.get(MailService);
    const db = api.app.get(TransactionalConnection);
    const jobsBefore = (await api.db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'core:send-mail'`))[0].n;
    const ids = await system(() => db.withTransaction(() => mail.sendMany(['one', 'two', 'three'].map((name) => ({ to: `${name}@example.org`, subject: name, text: `Hello ${name}` })))));
    const jobs = await api.db.query(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'core:send-mail' ORDER BY j.id DESC LIMIT 1`,
    );
    expect((await api.db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'core:send-mail'`))[0].n).toBe(jobsBefore + 1);
    expect(jobs[0].payload).toEqual({ mailIds: ids });
    await system(() => mail.deliver(jobs[0].payload));
    const rows = await api.db.query(`SELECT recipient, status FROM outbound_mail WHERE id = ANY($1::uuid[]) ORDER BY recipient`, [ids]);
    expect(rows).toEqual([
      { recipient: 'one@example.org', status: 'skipped' },
      { recipient: 'three@example.org', status: 'skipped' },
      { recipient: 'two@example.org', status: 'skipped' },
    ]);
  });

  it('renders attachments at delivery with the renderer a lib registered', async () => {
    const mail = api.app.get(MailService);
    const db = api.app.get(TransactionalConnection);
    mail.registerAttachmentRenderer('test:greeting', async (reference) => ({ filename: `${reference}.txt`, contentType: 'text/plain', content: Buffer.from(`greetings to ${reference}`) }));
    const id = await system(() => db.withTransaction(() => mail.send({ to: 'files@example.org', subject: 's', text: 't', attachments: [{ renderer: 'test:greeting', reference: 'world' }] })));
    const composed = await mail.compose(await db.getRepository(OutboundMail).findOneByOrFail({ id }));
    expect(composed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['world.txt', 'greetings to world']]);
    // An attachment nobody can render fails delivery (retried), rather than sending without it.
    const orphan = await system(() => db.withTransaction(() => mail.send({ to: 'files@example.org', subject: 's', text: 't', attachments: [{ renderer: 'test:unknown', reference: 'x' }] })));
    await expect(mail.compose(await db.getRepository(OutboundMail).findOneByOrFail({ id: orphan }))).rejects.toThrow('no renderer');
  });
});
