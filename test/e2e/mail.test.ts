import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { queryDns } from '@ruche/infra/fleet';
import { RENDER_TEST_HOOK, StorageMeter, type RenderTestHook } from '@ruche/provisioning';
import { makeClient, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { bodyOf, fleetResolver, readInbox, sendMail, smtpConversation, type Message } from '../support/mail-client.js';
import type { Caller } from '../support/test-api.js';

/**
 * Mail as its users meet it, on a real Debian server running Postfix, Dovecot, OpenDKIM and
 * Knot (one container serves the domains' zones and their mail): a client makes domains,
 * mailboxes and aliases through the API; messages go in over SMTP and submission and are read
 * over IMAP; signatures are checked against the key the server's own DNS publishes. Each test
 * makes the domain and mailboxes it looks at, so any one of them can run alone.
 */
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;
let hooked = false;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['dns', 'mail'] });
  const organization = await makeOrganization(fleet.admin, { name: 'Radio Centre-Ville' });
  organizationId = organization.id;
  client = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
  const overrides = await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { domains: 100, mailboxes: 100, mail_storage_mb: 100_000 });
  expect(overrides.status, JSON.stringify(overrides.body)).toBeLessThan(300);
});
afterAll(() => fleet?.close());
afterEach(async () => {
  if (!hooked) return;
  await fleet.worker!.close();
  await fleet.startWorker();
  hooked = false;
});

const get = (path: string) => client.get(path).then((response) => response.body);
/** A resource once it is in `phase`; when it does not get there, the error says where it is and what the server's last runs did. */
async function phaseOf(path: string, phase: string, timeoutMs = 30_000) {
  try {
    return await eventually(async () => ((await get(path)).phase === phase ? get(path) : null), timeoutMs, `${path} to be ${phase}`);
  } catch (error) {
    const resource = await get(path).catch(() => null);
    const runs = await fleet.api.db.query(
      `SELECT service, trigger, status, duration_ms, left(error, 300) AS error, started_at FROM reconcile_runs WHERE server_id = $1 ORDER BY id DESC LIMIT 8`,
      [fleet.serverId],
    );
    const server = await fleet.server
      .exec(['sh', '-c', 'ps -eo pid,ppid,etimes,stat,args | grep -E "[p]ostfix|[q]mgr|[d]ovecot|[d]oveadm|[s]sh"; tail -n 40 /var/log/postfix.log'])
      .then((result) => result.stdout)
      .catch((failure: Error) => failure.message);
    throw new Error(
      `${(error as Error).message}; it is ${JSON.stringify({ phase: resource?.phase, lastError: resource?.lastError })}; the server's last runs: ${JSON.stringify(runs)}; its mail processes and log:\n${server}`,
    );
  }
}

/** A domain of the test's own, its zone live. */
async function mailDomain(label: string): Promise<{ id: string; name: string }> {
  const domain = await client.post('/api/v1/domains', { organizationId, name: `${label}-${randomBytes(3).toString('hex')}.org` });
  expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  await phaseOf(`/api/v1/domains/${domain.body.id}`, 'ready');
  return domain.body;
}

async function liveMailbox(address: string, fields: { password?: string; quotaMb?: number; forwards?: string[] } = {}) {
  const password = fields.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const created = await client.post('/api/v1/mailboxes', { organizationId, address, password, quotaMb: fields.quotaMb ?? 50, ...(fields.forwards ? { forwards: fields.forwards } : {}) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await phaseOf(`/api/v1/mailboxes/${created.body.id}`, 'ready');
  return { id: created.body.id as string, address, password };
}

async function liveAlias(address: string, destinations: string[]) {
  const created = await client.post('/api/v1/aliases', { organizationId, address, destinations });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await phaseOf(`/api/v1/aliases/${created.body.id}`, 'ready');
  return created.body as { id: string };
}

const imap = (mailbox: { address: string; password: string }, secure = false) => ({
  port: secure ? fleet.server.ports.imaps! : fleet.server.ports.imap!,
  user: mailbox.address,
  pass: mailbox.password,
  secure,
});

/** Waits until the mailbox's inbox holds a message with this subject, and answers it. */
async function arrived(mailbox: { address: string; password: string }, subject: string, timeoutMs = 20_000): Promise<Message> {
  return eventually(async () => (await readInbox(imap(mailbox))).find((message) => message.subject === subject), timeoutMs, `"${subject}" in ${mailbox.address}`);
}

const subject = (what: string) => `${what} ${randomBytes(4).toString('hex')}`;

describe('receiving and reading mail', () => {
  it('delivers a message sent to an alias into the mailbox, where IMAP reads it with the mailbox password, and refuses a wrong one', async () => {
    const domain = await mailDomain('radio');
    const info = await liveMailbox(`info@${domain.name}`);
    await liveAlias(`contact@${domain.name}`, [info.address]);

    const title = subject('Émission de jeudi');
    const response = await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: `contact@${domain.name}`, subject: title, text: 'Bonjour, une question pour l’émission.' });
    expect(response).toMatch(/^250 /);
    const message = await arrived(info, title);
    expect(message.source).toContain('une question pour l');
    expect(message.source).toMatch(/^Delivered-To: info@/m);

    // The same mailbox over IMAPS (993).
    expect((await readInbox(imap(info, true))).map((m) => m.subject)).toContain(title);
    // A wrong password is refused, on both ports; and so is an address that is not a mailbox.
    await expect(readInbox({ ...imap(info), pass: 'not-the-password' })).rejects.toThrow();
    await expect(readInbox({ ...imap(info, true), pass: 'not-the-password' })).rejects.toThrow();
    await expect(readInbox({ ...imap(info), user: `contact@${domain.name}` })).rejects.toThrow();
    // An address nobody holds is refused at once, while the message is being sent.
    const unknown = await smtpConversation(fleet.server.ports.smtp!, ['EHLO tester.example', 'MAIL FROM:<auditeur@example.net>', `RCPT TO:<nobody@${domain.name}>`]);
    expect(unknown[2]!.code).toBe(550);
    expect(unknown[2]!.text).toMatch(/5\.1\.1/);
  });

  it('sends a catch-all the mail of addresses nobody holds, and keeps a mailbox’s own; a mailbox with forwards keeps a copy', async () => {
    const domain = await mailDomain('catchall');
    const office = await liveMailbox(`bureau@${domain.name}`);
    const host = await liveMailbox(`animation@${domain.name}`, { forwards: [office.address] });
    await liveAlias(`*@${domain.name}`, [office.address]);

    const stray = subject('Pour n’importe qui');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: `quiconque@${domain.name}`, subject: stray, text: 'perdu?' });
    await arrived(office, stray);
    const own = subject('Pour l’animation');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: host.address, subject: own, text: 'bravo' });
    await arrived(host, own);
    // Forwarded too, to the office, which the catch-all did not take it from: one copy there.
    await arrived(office, own);
    expect((await readInbox(imap(office))).filter((message) => message.subject === own)).toHaveLength(1);
  });
});

describe('mail arriving while the maps change', () => {
  it('delivers at once every message the server took while a new address went live, none held in its queue', async () => {
    const domain = await mailDomain('bascule');
    const address = `info@${domain.name}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    // Senders keep knocking (four at once, a new connection each) while the mailbox is made:
    // before the reload some are refused (550), after it all are taken; a message the server
    // took must reach the mailbox now, not wait in the queue for Postfix's next try (minutes).
    const accepted: string[] = [];
    let sending = true;
    const senders = Array.from({ length: 4 }, async (_, lane) => {
      for (let n = 0; sending; n++) {
        const title = `Bascule ${lane}-${n}`;
        const answer = await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: address, subject: title, text: 'x' }).catch(() => null);
        if (answer?.startsWith('250')) accepted.push(title);
      }
    });
    const created = await client.post('/api/v1/mailboxes', { organizationId, address, password, quotaMb: 50 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await phaseOf(`/api/v1/mailboxes/${created.body.id}`, 'ready');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    sending = false;
    await Promise.all(senders);
    expect(accepted.length).toBeGreaterThan(0);
    await eventually(async () => {
      const subjects = new Set((await readInbox(imap({ address, password }))).map((message) => message.subject));
      return accepted.every((title) => subjects.has(title));
    }, 15_000, `every accepted message in ${address}`).catch(async (error) => {
      const subjects = new Set((await readInbox(imap({ address, password }))).map((message) => message.subject));
      const queue = await fleet.server.exec(['postqueue', '-p']);
      throw new Error(`${(error as Error).message}; missing: ${accepted.filter((title) => !subjects.has(title)).join(', ')}\n${queue.stdout}`);
    });
    expect((await fleet.server.exec(['postqueue', '-p'])).stdout).not.toContain(domain.name);
  });
});

describe('mail arriving while a mailbox goes', () => {
  it('bounces nothing it took for the mailbox while the deletion went live: what arrived is in the archive', async () => {
    const domain = await mailDomain('depart');
    const box = await liveMailbox(`ancien@${domain.name}`);
    const accepted: string[] = [];
    let sending = true;
    const senders = Array.from({ length: 3 }, async (_, lane) => {
      for (let n = 0; sending; n++) {
        const title = `Depart ${lane}-${n}`;
        const answer = await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: box.address, subject: title, text: 'x' }).catch(() => null);
        if (answer?.startsWith('250')) accepted.push(title);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await client.delete(`/api/v1/mailboxes/${box.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/mailboxes/${box.id}`)).status === 404, 30_000, 'the mailbox row to go');
    sending = false;
    await Promise.all(senders);
    expect(accepted.length).toBeGreaterThan(0);
    // Nothing the server took for it was sent back as undeliverable, and nothing waits in the queue.
    await eventually(async () => !(await fleet.server.exec(['postqueue', '-p'])).stdout.includes(box.address), 15_000, 'the queue to hold nothing for it').catch(async (error) => {
      const queue = await fleet.server.exec(['postqueue', '-p']);
      const lines = await fleet.server.exec(['sh', '-c', 'grep -F -- "to=<$1>" /var/log/postfix.log | grep "status=" | grep -v "status=sent" | tail -n 5', 'log', box.address]);
      throw new Error(`${(error as Error).message}\n${queue.stdout}\n${lines.stdout}`);
    });
    const log = await fleet.server.exec(['sh', '-c', 'grep -F -- "to=<$1>" /var/log/postfix.log | grep "status=" | grep -v "status=sent" || true', 'log', box.address]);
    expect(log.stdout).toBe('');
    // Every message it took is in the mailbox's archive.
    const archives = (await get(`/api/v1/archives?organizationId=${organizationId}`)).data as Array<{ name: string }>;
    expect(archives.map((entry) => entry.name)).toContain(box.address);
    const archived = await fleet.server.exec(['sh', '-c', 'tar -xzOf "$(ls /var/backups/ruche/mail/$1*.tar.gz | head -n 1)" --wildcards "./Maildir/new/*" "./Maildir/cur/*" 2>/dev/null | grep "^Subject:" || true', 'archived', box.id]);
    const subjects = new Set(archived.stdout.split('\n').map((line) => line.replace(/^Subject: /, '').trim()));
    expect(accepted.filter((title) => !subjects.has(title))).toEqual([]);
  });
});

describe('sending mail', () => {
  it('takes mail on submission (587, STARTTLS) only after a login, relays nothing without one, and lets a mailbox send only as itself', async () => {
    const domain = await mailDomain('submit');
    const sender = await liveMailbox(`studio@${domain.name}`);
    const reader = await liveMailbox(`regie@${domain.name}`);
    const other = await mailDomain('someone-else');
    const outsider = await liveMailbox(`boss@${other.name}`);

    const title = subject('Conducteur');
    expect(await sendMail(fleet.server.ports.submission!, { from: sender.address, to: reader.address, subject: title, text: 'le conducteur de ce soir' }, { user: sender.address, pass: sender.password })).toMatch(/^250 /);
    await arrived(reader, title);
    // Implicit TLS (465) works the same way.
    const secure = subject('Par 465');
    expect(await sendMail(fleet.server.ports.submissions!, { from: sender.address, to: reader.address, subject: secure, text: 'ok' }, { user: sender.address, pass: sender.password }, { secure: true })).toMatch(/^250 /);
    await arrived(reader, secure);
    // Mail for the outside world is taken (test servers keep it in their queue: nothing leaves the machine).
    expect(await sendMail(fleet.server.ports.submission!, { from: sender.address, to: 'ami@example.net', subject: 'dehors', text: 'x' }, { user: sender.address, pass: sender.password })).toMatch(/^250 /);
    await eventually(async () => (await fleet.server.exec(['postqueue', '-p'])).stdout.includes('ami@example.net'), 10_000, 'the message held in the queue');

    // Without a login: a wrong password, no login at all on 587, and relaying on 25, are refused.
    await expect(sendMail(fleet.server.ports.submission!, { from: sender.address, to: 'ami@example.net', subject: 'x', text: 'x' }, { user: sender.address, pass: 'wrong-password-here' })).rejects.toThrow(/535/);
    const anonymous = await smtpConversation(fleet.server.ports.submission!, ['EHLO tester.example', `MAIL FROM:<${sender.address}>`]);
    expect(anonymous[1]!.code).toBeGreaterThanOrEqual(500);
    const relay = await smtpConversation(fleet.server.ports.smtp!, ['EHLO tester.example', `MAIL FROM:<${sender.address}>`, 'RCPT TO:<ami@example.net>']);
    expect(relay[2]).toMatchObject({ code: 554, text: expect.stringMatching(/5\.7\.1.*Relay access denied/) });
    // Logged in, a mailbox may not send as an address it does not own.
    await expect(sendMail(fleet.server.ports.submission!, { from: outsider.address, to: reader.address, subject: 'usurpation', text: 'x' }, { user: sender.address, pass: sender.password })).rejects.toThrow(/553|not owned/);
  });

  it('signs what a mailbox sends with its domain’s DKIM key, which the server’s DNS publishes', async () => {
    const domain = await mailDomain('signed');
    const sender = await liveMailbox(`nouvelles@${domain.name}`);
    const reader = await liveMailbox(`archives@${domain.name}`);

    // The key is in the zone (no step by the client), beside the SPF and DMARC defaults.
    const records = (await get(`/api/v1/domains/${domain.id}/mail-records`)).records as Array<{ purpose: string; fqdn: string; value: string; inZone: boolean }>;
    const dkim = records.find((record) => record.purpose === 'dkim')!;
    expect(dkim).toMatchObject({ inZone: true, value: expect.stringMatching(/^v=DKIM1; k=rsa; p=/) });
    const resolve = fleetResolver(fleet.server.ports.dnsTcp!);
    await eventually(async () => (await resolve(dkim.fqdn, 'TXT').catch(() => [[]]))[0]!.join('') === dkim.value, 20_000, 'the DKIM key in DNS');
    const spf = await queryDns({ port: fleet.server.ports.dnsTcp!, name: domain.name, type: 'TXT', transport: 'tcp' });
    expect(spf.answers.map((answer) => answer.data)).toContain('"v=spf1 mx ~all"');
    const dmarc = await queryDns({ port: fleet.server.ports.dnsTcp!, name: `_dmarc.${domain.name}`, type: 'TXT', transport: 'tcp' });
    expect(dmarc.answers.map((answer) => answer.data)).toEqual(['"v=DMARC1; p=none"']);

    const title = subject('Communiqué');
    await sendMail(fleet.server.ports.submission!, { from: sender.address, to: reader.address, subject: title, text: 'Pour diffusion immédiate.\n' }, { user: sender.address, pass: sender.password });
    const message = await arrived(reader, title);
    expect(message.source).toMatch(/^DKIM-Signature:/m);
    const verified = await dkimVerify(Buffer.from(message.source), { resolver: resolve });
    expect(verified.results.map((result) => ({ result: result.status.result, domain: result.signingDomain, selector: result.selector }))).toEqual([
      { result: 'pass', domain: domain.name, selector: dkim.fqdn.split('.')[0] },
    ]);
    // Mail that came in from outside is not signed by the server.
    const inbound = subject('De l’extérieur');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: reader.address, subject: inbound, text: 'x' });
    expect((await arrived(reader, inbound)).source).not.toMatch(/^DKIM-Signature:/m);
  });
});

describe('quotas and storage', () => {
  it('refuses a delivery past a full mailbox’s quota with 5.2.2, and measures what each mailbox holds', async () => {
    const domain = await mailDomain('quota');
    const small = await liveMailbox(`petit@${domain.name}`, { quotaMb: 1 });
    const sender = await liveMailbox(`envoi@${domain.name}`);

    const first = subject('Gros fichier');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: small.address, subject: first, text: bodyOf(700_000) });
    await arrived(small, first);
    // A message that would not fit, announced with its size, is refused before it is sent.
    const refused = await smtpConversation(fleet.server.ports.smtp!, ['EHLO tester.example', 'MAIL FROM:<auditeur@example.net> SIZE=700000', `RCPT TO:<${small.address}>`]);
    expect(refused[2]).toMatchObject({ code: 552, text: expect.stringMatching(/5\.2\.2/) });
    // Sent without its size, it is taken, then bounces back to its sender with 5.2.2.
    const second = subject('Trop gros');
    await sendMail(fleet.server.ports.submission!, { from: sender.address, to: small.address, subject: second, text: bodyOf(700_000) }, { user: sender.address, pass: sender.password });
    const bounce = await eventually(async () => (await readInbox(imap(sender))).find((message) => /Undelivered|Delivery Status/i.test(message.subject)), 30_000, 'the bounce');
    expect(bounce.source).toMatch(/5\.2\.2/);
    expect((await readInbox(imap(small))).map((message) => message.subject)).not.toContain(second);

    // The nightly measure records what the mailbox holds.
    await fleet.worker!.get(StorageMeter).measureAll();
    expect((await get(`/api/v1/mailboxes/${(await idOf(small.address))}`)).usedBytes).toBeGreaterThan(700_000);
  });
});

async function idOf(address: string): Promise<string> {
  const page = await get(`/api/v1/mailboxes?organizationId=${organizationId}&limit=200`);
  return page.data.find((mailbox: { address: string }) => mailbox.address === address).id;
}

describe('deleting and restoring a mailbox', () => {
  it('archives the maildir before the mailbox goes, lists the archive, and brings the mail back when staff restore it', async () => {
    const domain = await mailDomain('archive');
    const mailbox = await liveMailbox(`memoire@${domain.name}`);
    const title = subject('À garder');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: mailbox.address, subject: title, text: 'précieux' });
    await arrived(mailbox, title);

    expect((await client.delete(`/api/v1/mailboxes/${mailbox.id}`)).status).toBe(202);
    await eventually(async () => (await client.get(`/api/v1/mailboxes/${mailbox.id}`)).status === 404, 30_000, 'the mailbox to go');
    // Gone from the server: no login, no delivery, no folder.
    await expect(readInbox(imap(mailbox))).rejects.toThrow();
    expect((await fleet.server.exec(['test', '-e', `/var/mail/ruche/${mailbox.id}`])).exitCode).toBe(1);
    const archives = (await get(`/api/v1/archives?organizationId=${organizationId}`)).data as Array<{ id: string; name: string; kind: string; sizeBytes: number; status: string }>;
    const archive = archives.find((entry) => entry.name === mailbox.address)!;
    expect(archive).toMatchObject({ kind: 'mailbox', status: 'ready', sizeBytes: expect.any(Number) });
    expect(archive.sizeBytes).toBeGreaterThan(0);

    const restored = await fleet.admin.post(`/api/v1/archives/${archive.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(202);
    await phaseOf(`/api/v1/mailboxes/${restored.body.resourceId}`, 'ready');
    // Same address, same password, and the mail is back.
    expect((await readInbox(imap(mailbox))).map((message) => message.subject)).toContain(title);
    await eventually(async () => (await get(`/api/v1/archives?organizationId=${organizationId}`)).data.find((entry: { id: string }) => entry.id === archive.id)?.status === 'restored', 10_000, 'the archive to be marked restored');
  });
});

describe('the checker’s refusals', () => {
  it('keeps the other addresses live when Postfix refuses one alias’s map line, and says why', async () => {
    const domain = await mailDomain('refusal');
    const box = await liveMailbox(`accueil@${domain.name}`);
    // Aliases whose address starts with "broken" get a line postmap cannot read.
    const hook: RenderTestHook = (resource, text) => (resource.type === 'mail_alias' && resource.label.startsWith('broken') ? `${text}aliases just-a-key\n` : text);
    hooked = true;
    await fleet.worker!.close();
    await fleet.startWorker([{ module: class RenderHookForTests {}, global: true, providers: [{ provide: RENDER_TEST_HOOK, useValue: hook }], exports: [RENDER_TEST_HOOK] }]);
    const bad = await client.post('/api/v1/aliases', { organizationId, address: `broken@${domain.name}`, destinations: [box.address] });
    const good = await client.post('/api/v1/aliases', { organizationId, address: `bonjour@${domain.name}`, destinations: [box.address] });
    const failed = await phaseOf(`/api/v1/aliases/${bad.body.id}`, 'failed');
    expect(failed.lastError).toMatch(/postmap: warning: aliases, line \d+: expected format: key whitespace value/);
    await phaseOf(`/api/v1/aliases/${good.body.id}`, 'ready');
    const title = subject('Bonjour');
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@example.net', to: `bonjour@${domain.name}`, subject: title, text: 'x' });
    await arrived(box, title);
    const refusedAddress = await smtpConversation(fleet.server.ports.smtp!, ['EHLO tester.example', 'MAIL FROM:<auditeur@example.net>', `RCPT TO:<broken@${domain.name}>`]);
    expect(refusedAddress[2]!.code).toBe(550);
  });
});
