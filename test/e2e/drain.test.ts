import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, queryDns, startServer, type TestServer } from '@ruche/infra/fleet';
import { loadSshIdentity, PROVISIONING_SETTINGS } from '@ruche/provisioning';
import { makeClient, makeOrganization, makeToken } from '../support/factories.js';
import { markInboxRead, readInbox, sendMail, smtpConversation } from '../support/mail-client.js';
import { ENGINES, liveDatabase, liveUser, refusal, session, type Engine, type Login } from '../support/databases.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import type { Caller } from '../support/test-api.js';

/**
 * Draining a server with the `ruche` command: two organisations' sites (with files a client put
 * there), zones, mailboxes (with mail), and MariaDB and PostgreSQL databases (with rows) live on
 * server A; `ruche servers drain A --to B` moves them, the data first, then desired state, then
 * the old copy archived. Everything answers from B afterwards, and A holds nothing of the
 * clients but archives.
 */
const cli = path.resolve(import.meta.dirname, '../../apps/cli/dist/main.js');

let fleet: FleetHarness;
let second: TestServer;
let secondId: string;
let url: string;
let token: string;
let home: string;

interface Client {
  caller: Caller;
  organizationId: string;
  prefix: string;
  domain: string;
  siteId: string;
  mailbox: { id: string; address: string; password: string };
  databases: Array<{ engine: Engine; id: string; login: Login }>;
}
const clients: Client[] = [];

const phaseOf = (caller: Caller, path: string, phase: string) => eventually(async () => ((await caller.get(path)).body.phase === phase ? (await caller.get(path)).body : null), 60_000, `${path} to be ${phase}`);

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web', 'dns', 'mail', 'mariadb', 'postgresql'], env: { RUCHE_QUEUE_POLL_INTERVAL_MS: '250' } });
  for (const name of ['Radio Centre-Ville', 'Café Solidaire']) {
    const organization = await makeOrganization(fleet.admin, { name });
    const caller = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
    const domain = `${name.startsWith('Radio') ? 'radio' : 'cafe'}-${randomBytes(3).toString('hex')}.org`;
    const created = await caller.post('/api/v1/domains', { organizationId: organization.id, name: domain });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const site = await caller.post('/api/v1/sites', { organizationId: organization.id, hostnames: [domain, `www.${domain}`] });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    await phaseOf(caller, `/api/v1/domains/${created.body.id}`, 'ready');
    await phaseOf(caller, `/api/v1/sites/${site.body.id}`, 'ready');
    const prefix = (await fleet.admin.get(`/api/v1/organizations/${organization.id}/hosting`)).body.prefix as string;
    // What the client put in its web space on A (as its own user, as its SFTP would).
    const written = await fleet.server.exec(['sh', '-c', 'printf "%s\\n" "$3" > "/srv/ruche/$1/sites/$2/hello.txt" && chown "ruche-$1:ruche-$1" "/srv/ruche/$1/sites/$2/hello.txt"', 'put', prefix, domain, `bonjour de ${name}`]);
    expect(written.exitCode, written.stderr).toBe(0);
    const address = `info@${domain}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const mailbox = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address, password, quotaMb: 50 });
    expect(mailbox.status, JSON.stringify(mailbox.body)).toBe(201);
    const alias = await caller.post('/api/v1/aliases', { organizationId: organization.id, address: `contact@${domain}`, destinations: [address] });
    expect(alias.status, JSON.stringify(alias.body)).toBe(201);
    await phaseOf(caller, `/api/v1/mailboxes/${mailbox.body.id}`, 'ready');
    await phaseOf(caller, `/api/v1/aliases/${alias.body.id}`, 'ready');
    // Mail already there before the drain.
    expect(await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@exemple.org', to: `contact@${domain}`, subject: 'Avant le déménagement', text: 'bonjour' })).toMatch(/^250 /);
    await eventually(async () => (await readInbox({ port: fleet.server.ports.imap!, user: address, pass: password })).some((m) => m.subject === 'Avant le déménagement'), 20_000, 'the first message');
    // A database of each engine, with a user and the rows it wrote.
    const databases: Client['databases'] = [];
    for (const engine of ENGINES) {
      const database = await liveDatabase(caller, organization.id, engine);
      const user = await liveUser(caller, organization.id, engine, [database.id]);
      const login = { user: user.name, password: user.password, database: database.name };
      await session(fleet.server, engine, login, async (sql) => {
        await sql('CREATE TABLE notes (id integer PRIMARY KEY, body text)');
        await sql(`INSERT INTO notes VALUES (1, 'bonjour'), (2, '${name.replace(/'/g, "''")}')`);
      });
      databases.push({ engine, id: database.id, login });
    }
    clients.push({ caller, organizationId: organization.id, prefix, domain, siteId: site.body.id, mailbox: { id: mailbox.body.id, address, password }, databases });
  }
  // Server B, on A's network, registered once A holds everything.
  const identity = loadSshIdentity(PROVISIONING_SETTINGS.of(fleet.api.config));
  second = await startServer({ services: ['web', 'dns', 'mail', 'mariadb', 'postgresql'], authorizedKey: identity.publicKey, network: fleet.server.name });
  const registered = await fleet.admin.post('/api/v1/servers', { name: second.name, address: '127.0.0.1', port: second.ports.ssh, transport: 'ssh', services: ['web', 'dns', 'mail', 'mariadb', 'postgresql'], publicIpv4: '192.0.2.11', publicHostname: 'mail2.coop.example' });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  secondId = registered.body.id;
  await fleet.api.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(fleet.api.app.getHttpServer().address() as AddressInfo).port}`;
  token = (await makeToken(fleet.api, fleet.admin, { scopes: ['hosting:read', 'hosting:write', 'provisioning:admin', 'organizations:admin'] })).token;
  home = await mkdtemp(path.join(os.tmpdir(), 'ruche-drain-home-'));
});
afterAll(async () => {
  await second?.remove();
  await fleet?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

async function dnsData(server: TestServer, name: string, type: 'A' | 'MX'): Promise<string[]> {
  return (await queryDns({ port: server.ports.dnsTcp!, name, type, transport: 'tcp' })).answers.filter((answer) => answer.type === type).map((answer) => answer.data);
}

function ruche(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(RUCHE_|LC_|LANG|LANGUAGE$|XDG_CONFIG_HOME$|NO_COLOR$)/.test(key)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...inherited, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), LANG: 'en_CA.UTF-8', RUCHE_URL: url, RUCHE_TOKEN: token, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ruche servers drain', () => {
  it('moves every site, zone, mailbox and database onto the other server, data first; everything answers from there, mail sent meanwhile arrives, and the old server keeps only archives', async () => {
    const peer = await fleet.server.addressOn(fleet.server.name);
    const dryRun = await ruche(['servers', 'drain', fleet.server.name, '--to', second.name, '--dry-run', '--json']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(JSON.parse(dryRun.stdout).resources.filter((resource: any) => resource.movable)).toHaveLength(16);
    expect((await fleet.admin.get(`/api/v1/servers/${fleet.serverId}`)).body.status).toBe('active');

    // Mail keeps coming while the server drains: to the old server, and to the new one once it
    // has the mailboxes. Every message a server takes (250) must end up in the mailbox.
    const accepted: Array<{ client: Client; subject: string }> = [];
    let draining = true;
    const sender = (async () => {
      for (let n = 0; draining; n++) {
        for (const client of clients) {
          for (const [port, where] of [[fleet.server.ports.smtp!, 'A'], [second.ports.smtp!, 'B']] as const) {
            const subject = `Pendant le déménagement ${where} ${n}`;
            const answer = await sendMail(port, { from: 'auditeur@exemple.org', to: `contact@${client.domain}`, subject, text: 'toujours là?' }).catch(() => null);
            if (answer?.startsWith('250')) accepted.push({ client, subject });
          }
          // The client reads its mail on A meanwhile: messages move to cur/ with a flag, a new
          // name for the same message, which must not arrive twice on B.
          await markInboxRead({ port: fleet.server.ports.imap!, user: client.mailbox.address, pass: client.mailbox.password }).catch(() => undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const run = await ruche(['servers', 'drain', fleet.server.name, '--to', second.name, '--peer-address', peer, '--interval', '1', '--json']);
    draining = false;
    await sender;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const drain = JSON.parse(run.stdout);
    expect(drain).toMatchObject({ status: 'done', notMoved: [] });
    expect(drain.moves).toHaveLength(10);
    expect(drain.moves.every((move: any) => move.status === 'done' && move.toServerId === secondId)).toBe(true);
    expect((await fleet.admin.get(`/api/v1/servers/${fleet.serverId}`)).body.status).toBe('draining');

    expect(accepted.some((message) => message.subject.includes(' A '))).toBe(true);
    for (const client of clients) {
      // The mailbox answers from B with its password: the old message, and every one a server took during the drain.
      const inbox = { port: second.ports.imap!, user: client.mailbox.address, pass: client.mailbox.password };
      const expected = ['Avant le déménagement', ...accepted.filter((message) => message.client === client).map((message) => message.subject)];
      await eventually(async () => {
        const subjects = new Set((await readInbox(inbox)).map((m) => m.subject));
        return expected.every((subject) => subjects.has(subject));
      }, 30_000, `every accepted message in ${client.mailbox.address}`).catch(async (error) => {
        const subjects = new Set((await readInbox(inbox)).map((m) => m.subject));
        // What B's Postfix holds and logged, to tell a message held in its queue from one lost.
        const queue = await second.exec(['postqueue', '-p']);
        const log = await second.exec(['sh', '-c', 'grep -E "status=|warning|error|reject" /var/log/postfix.log | tail -n 40']);
        throw new Error(`${(error as Error).message}; missing: ${expected.filter((subject) => !subjects.has(subject)).join(', ')}\nB's queue:\n${queue.stdout}\nB's log:\n${log.stdout}`);
      });
      // Once each: the final pass brought only what arrived on A after the first.
      const subjects = (await readInbox(inbox)).map((m) => m.subject);
      expect(subjects.length).toBe(new Set(subjects).size);
      expect(await dnsData(second, client.domain, 'MX')).toEqual(['10 mail2.coop.example.']);
      // A sender still using the old MX is told to try again later (450), not refused for good.
      const late = await smtpConversation(fleet.server.ports.smtp!, ['EHLO tester.example', 'MAIL FROM:<auditeur@exemple.org>', `RCPT TO:<contact@${client.domain}>`]);
      expect(late[2]).toMatchObject({ code: 450 });
      expect((await fleet.server.exec(['test', '-e', `/var/mail/ruche/${client.mailbox.id}`])).exitCode).not.toBe(0);
      expect((await fleet.server.exec(['sh', '-c', `ls /var/backups/ruche/mail/ | grep -c '^${client.mailbox.id}-'`])).stdout.trim()).toBe('1');
      await expect(readInbox({ ...inbox, port: fleet.server.ports.imap! })).rejects.toThrow();

      // Each database user logs in to B with its password and reads its rows; A has neither the
      // user nor the database any more, only the dump the move made.
      for (const database of client.databases) {
        expect(await session(second, database.engine, database.login, (sql) => sql('SELECT body FROM notes ORDER BY id'))).toEqual([{ body: 'bonjour' }, { body: expect.stringMatching(/^(Radio|Café)/) }]);
        expect(await refusal(fleet.server, database.engine, database.login)).not.toBeNull();
        expect((await client.caller.get(`/api/v1/databases/${database.id}`)).body).toMatchObject({ phase: 'ready', serverId: secondId });
        const name = database.login.database;
        const present = database.engine === 'mariadb'
          ? await fleet.server.exec(['mariadb', '--batch', '--skip-column-names', '-e', `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`])
          : await fleet.server.exec(['psql', '-X', '-tA', '-c', `SELECT COUNT(*) FROM pg_database WHERE datname = '${name}'`], { user: 'postgres' });
        expect(present.stdout.trim()).toBe('0');
        expect((await fleet.server.exec(['sh', '-c', `ls /var/backups/ruche/${database.engine}/ | grep -c '^${name}-${database.id}-move-'`])).stdout.trim()).toBe('1');
      }

      // From B: the site with the client's file, the zone naming B's address.
      expect((await httpGet(second.ports.http!, { host: client.domain, path: '/hello.txt' })).body).toMatch(/^bonjour de /);
      expect((await httpGet(second.ports.http!, { host: `www.${client.domain}`, path: '/hello.txt' })).status).toBe(200);
      const answer = await queryDns({ port: second.ports.dnsTcp!, name: client.domain, type: 'A', transport: 'tcp' });
      expect(answer.authoritative).toBe(true);
      expect(answer.answers.map((record) => record.data)).toEqual(['192.0.2.11']);
      // The file belongs to the organisation's user on B.
      expect((await second.exec(['stat', '-c', '%U', `/srv/ruche/${client.prefix}/sites/${client.domain}/hello.txt`])).stdout.trim()).toBe(`ruche-${client.prefix}`);
      // The site went through applying on B (a new generation there).
      const events = (await fleet.admin.get(`/api/v1/resource-events?resourceId=${client.siteId}`)).body.data as Array<{ kind: string; toPhase: string | null; generation: number }>;
      expect(events.some((event) => event.toPhase === 'applying' && event.generation >= 2)).toBe(true);
      expect((await client.caller.get(`/api/v1/sites/${client.siteId}`)).body).toMatchObject({ phase: 'ready', serverId: secondId });

      // A holds nothing of the client but an archive of its web space.
      expect((await fleet.server.exec(['test', '-e', `/srv/ruche/${client.prefix}`])).exitCode).not.toBe(0);
      expect((await fleet.server.exec(['id', `ruche-${client.prefix}`])).exitCode).not.toBe(0);
      const archives = (await fleet.server.exec(['sh', '-c', 'ls /var/backups/ruche/web/']).then((result) => result.stdout)).split('\n').filter((name) => name.startsWith(`${client.prefix}-`));
      expect(archives).toHaveLength(1);
      const listing = await fleet.server.exec(['tar', '-tzf', `/var/backups/ruche/web/${archives[0]}`]);
      expect(listing.stdout).toContain(`${client.prefix}/sites/${client.domain}/hello.txt`);
      expect((await fleet.server.exec(['grep', '-Rl', client.domain, '/etc/nginx/ruche/', '/etc/knot/ruche/'])).stdout).toBe('');
      const onA = await queryDns({ port: fleet.server.ports.dnsTcp!, name: client.domain, type: 'A', transport: 'tcp' });
      expect(onA.answers).toEqual([]);
      expect((await httpGet(fleet.server.ports.http!, { host: client.domain, path: '/hello.txt' })).body).not.toMatch(/bonjour/);
    }
    // Nothing new goes to a draining server.
    const later = await clients[0]!.caller.post('/api/v1/sites', { organizationId: clients[0]!.organizationId, hostnames: [`blog.${clients[0]!.domain}`] });
    expect(later.body.serverId).toBe(secondId);
  }, 600_000);

  it('refuses a bad argument and a server that cannot take the service, with a message and a non-zero exit', async () => {
    expect((await ruche(['move', 'not-an-id', 'web', '--to', second.name])).code).toBe(2);
    expect((await ruche(['move', clients[0]!.organizationId, 'web', '--to', 'no-such-server', '--json'])).code).toBe(1);
    const bad = await fleet.admin.post('/api/v1/moves', { organizationId: clients[0]!.organizationId, service: 'ftp', toServerId: secondId });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toMatchObject({ field: 'service' });
    // The drained server takes nothing.
    const onto = await fleet.admin.post('/api/v1/moves', { organizationId: clients[0]!.organizationId, service: 'mariadb', toServerId: fleet.serverId });
    expect(onto.status).toBe(422);
    expect(onto.body.error.details[0]).toMatchObject({ field: 'toServerId', code: 'server_unsuitable' });
    const badToken = await ruche(['servers', 'drain', second.name, '--json'], { RUCHE_TOKEN: 'rch_nope' });
    expect(badToken.code).toBe(3);
  });
});
