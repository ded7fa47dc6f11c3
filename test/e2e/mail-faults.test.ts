import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeClient, makeLocalServer, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, workerProcesses, type FleetHarness } from '../support/fleet-harness.js';
import { readInbox, sendMail } from '../support/mail-client.js';
import type { Caller } from '../support/test-api.js';

/**
 * The faults of faults.test.ts, met by the mail driver: a mail server stopped in the middle of
 * a reconcile, a worker killed in the middle of one. Each time the mailbox ends up live, and
 * mail sent to it is read over IMAP. Each test leaves the server running and one worker in
 * this process, as it found them.
 */
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['mail'] });
  const organization = await makeOrganization(fleet.admin);
  organizationId = organization.id;
  client = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
  expect((await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { domains: 100, mailboxes: 100, mail_storage_mb: 100_000 })).status).toBeLessThan(300);
  // The domains' zones go elsewhere (no DNS on this server): mail only needs them to exist.
  await makeLocalServer(fleet.admin, 'dns-elsewhere', ['dns']);
});
afterAll(() => fleet?.close());
afterEach(async () => {
  await fleet.server.start();
  await fleet.server.exec(['rm', '-f', '/usr/local/sbin/doveconf', '/usr/local/sbin/postfix']);
  if (!fleet.worker) await fleet.startWorker();
});

/**
 * Makes the mail check (`doveconf -n` on the staged release) take `seconds`, so a reconcile is
 * surely under way when the test acts; `untilRestart`: only until the container restarts.
 */
async function slowMailCheck(seconds: number, options: { untilRestart?: boolean } = {}): Promise<void> {
  const script = `#!/bin/sh\n[ "$1" = -n ] && ${options.untilRestart ? '[ -e /run/ruche-slow-check ] && ' : ''}sleep ${seconds}\nexec /usr/bin/doveconf "$@"\n`;
  const installed = await fleet.server.exec(['sh', '-c', 'touch /run/ruche-slow-check && cat > /usr/local/sbin/doveconf && chmod +x /usr/local/sbin/doveconf'], { input: script });
  expect(installed.exitCode, installed.stderr).toBe(0);
}

async function ownDomain(): Promise<string> {
  const created = await client.post('/api/v1/domains', { organizationId, name: `mail-faults-${randomBytes(3).toString('hex')}.org` });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.name;
}

const mailbox = (id: string) => client.get(`/api/v1/mailboxes/${id}`).then((response) => response.body);
const until = (id: string, phase: string, timeoutMs = 30_000) =>
  eventually(async () => ((await mailbox(id)).phase === phase ? mailbox(id) : null), timeoutMs, `mailbox ${id} to be ${phase}`);

/** Mail sent to the address arrives, and its owner reads it. */
async function receives(address: string, password: string): Promise<void> {
  const subject = `ping ${randomBytes(4).toString('hex')}`;
  await sendMail(fleet.server.ports.smtp!, { from: 'someone@example.net', to: address, subject, text: 'x' });
  await eventually(async () => (await readInbox({ port: fleet.server.ports.imap!, user: address, pass: password })).some((message) => message.subject === subject), 20_000, `${subject} in ${address}`);
}

describe('a mail server that goes away in the middle of a reconcile', () => {
  it('fails the mailbox with a clear error, retries, and delivers to it once the server is back', async () => {
    const domain = await ownDomain();
    await slowMailCheck(5, { untilRestart: true });
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const created = await client.post('/api/v1/mailboxes', { organizationId, address: `down@${domain}`, password, quotaMb: 10 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await eventually(async () => (await mailbox(created.body.id)).phase === 'applying', 20_000, 'the reconcile to start');
    await fleet.server.stop();
    const failed = await until(created.body.id, 'failed');
    expect(failed.lastError).toMatch(/could not be reached; Ruche retries on its own/);
    expect(failed.attempts).toBeGreaterThanOrEqual(1);

    await fleet.server.start();
    await until(created.body.id, 'ready', 60_000);
    expect(await mailbox(created.body.id)).toMatchObject({ attempts: 0, lastError: null });
    await receives(`down@${domain}`, password);
  });
});

describe('a queue manager that goes away right after a reload', () => {
  it('is started again, so the change goes live and mail is delivered', async () => {
    // Postfix's master starts a queue manager only when one is asked for. After a reload the
    // new one takes the master's wakeup; here it then stops (as one does when a table changes
    // under it, or when the old one took the wakeup before exiting), and nothing asks again.
    const wrapper = [
      '#!/bin/sh',
      'if [ "$1" = reload ]; then',
      '  old=$(pgrep -x qmgr); /usr/sbin/postfix "$@" || exit',
      '  i=0; until now=$(pgrep -x qmgr) && [ "$now" != "$old" ]; do [ $i -lt 250 ] || exit 0; sleep 0.02; i=$((i + 1)); done',
      '  sleep 1; kill -TERM $now; exit 0',
      'fi',
      'exec /usr/sbin/postfix "$@"',
      '',
    ].join('\n');
    const stopped = async () => Number((await fleet.server.exec(['grep', '-c', 'qmgr.*killed by signal 15', '/var/log/postfix.log'])).stdout.trim());
    const stoppedBefore = await stopped();
    const installed = await fleet.server.exec(['sh', '-c', 'cat > /usr/local/sbin/postfix && chmod +x /usr/local/sbin/postfix'], { input: wrapper });
    expect(installed.exitCode, installed.stderr).toBe(0);

    const domain = await ownDomain();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const created = await client.post('/api/v1/mailboxes', { organizationId, address: `kicked@${domain}`, password, quotaMb: 10 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await until(created.body.id, 'ready');
    await receives(`kicked@${domain}`, password);
    // The wrapper did stop queue managers during this change (the server's earlier stops count apart).
    expect(await stopped()).toBeGreaterThan(stoppedBefore);
  });
});

describe('a worker killed in the middle of a mail reconcile', () => {
  let workers: ReturnType<typeof workerProcesses>;
  const spawnWorker = () => workers.spawn();
  beforeAll(() => {
    workers = workerProcesses(fleet);
  });
  afterEach(() => workers.killAll());

  it('leaves the job to another worker, which finishes it: the mailbox receives mail', async () => {
    const domain = await ownDomain();
    await fleet.worker!.close();
    fleet.worker = null;
    await slowMailCheck(120);
    const first = spawnWorker();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const created = await client.post('/api/v1/mailboxes', { organizationId, address: `killed@${domain}`, password, quotaMb: 10 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await eventually(async () => (await mailbox(created.body.id)).phase === 'applying', 20_000, 'the job to start');
    const running = await fleet.admin.get(`/api/v1/jobs?status=running&serverId=${fleet.serverId}`);
    expect(running.body.data).toHaveLength(1);
    first.kill('SIGKILL');
    await fleet.server.exec(['rm', '-f', '/usr/local/sbin/doveconf']);
    spawnWorker();
    await until(created.body.id, 'ready', 60_000);
    await receives(`killed@${domain}`, password);
    const stale = await fleet.admin.get(`/api/v1/jobs?serverId=${fleet.serverId}&limit=10`);
    expect(stale.body.data.some((run: { error: string | null }) => run.error?.includes('worker running it stopped'))).toBe(true);
  });

  it('archives a mailbox deleted while its server was down, once the server is back', async () => {
    const domain = await ownDomain();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const created = await client.post('/api/v1/mailboxes', { organizationId, address: `gone@${domain}`, password, quotaMb: 10 });
    await until(created.body.id, 'ready');
    await receives(`gone@${domain}`, password);
    await fleet.server.stop();
    expect((await client.delete(`/api/v1/mailboxes/${created.body.id}`)).status).toBe(202);
    await eventually(async () => (await mailbox(created.body.id)).attempts >= 1, 30_000, 'a failed attempt');
    expect((await mailbox(created.body.id)).phase).toBe('deleting');
    await fleet.server.start();
    await eventually(async () => (await client.get(`/api/v1/mailboxes/${created.body.id}`)).status === 404, 60_000, 'the mailbox to go');
    const archives = (await client.get(`/api/v1/archives?organizationId=${organizationId}`)).body.data as Array<{ name: string; sizeBytes: number }>;
    expect(archives.find((archive) => archive.name === `gone@${domain}`)?.sizeBytes).toBeGreaterThan(0);
  });
});
