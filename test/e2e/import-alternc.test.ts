import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, queryDns } from '@ruche/infra/fleet';
import { loadSshIdentity, PROVISIONING_SETTINGS } from '@ruche/provisioning';
import { stopWorker } from '../../apps/worker/src/worker.js';
import { ALTERNC, startAlterncServer, type AlterncFixture } from '../support/alternc-fixture.js';
import { session } from '../support/databases.js';
import { makeToken } from '../support/factories.js';
import { eventually, startFleetHarness, workerProcesses, type FleetHarness } from '../support/fleet-harness.js';
import { readInbox, sendMail, smtpConversation } from '../support/mail-client.js';

/**
 * Bringing an AlternC server's clients into Ruche with the `ruche` command, as a sysadmin
 * would: a fixture AlternC server (a fleet container built from alternc.md's facts) is
 * registered and paused, its panel database read through a read-only MariaDB account; the
 * sites answer over HTTP with their files, the zones over DNS with their records, the
 * mailboxes over IMAP with their old passwords and messages, the database user logs in with
 * its old password and reads its rows.
 */
const cli = path.resolve(import.meta.dirname, '../../apps/cli/dist/main.js');

let fleet: FleetHarness;
let alternc: AlterncFixture;
let url: string;
let token: string;
let home: string;
let sourceName: string;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web', 'dns', 'mail', 'mariadb'], env: { RUCHE_QUEUE_POLL_INTERVAL_MS: '250' } });
  const identity = loadSshIdentity(PROVISIONING_SETTINGS.of(fleet.api.config));
  alternc = await startAlterncServer({ authorizedKey: identity.publicKey, network: fleet.server.name });
  // The AlternC server, declared in Ruche and paused: nothing new goes there.
  const registered = await fleet.admin.post('/api/v1/servers', {
    name: alternc.server.name,
    address: '127.0.0.1',
    port: alternc.server.ports.ssh,
    transport: 'ssh',
    services: ['mariadb'],
    publicIpv4: alternc.address,
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  sourceName = registered.body.name;
  expect((await fleet.admin.patch(`/api/v1/servers/${registered.body.id}`, { status: 'paused' })).status).toBe(200);
  await fleet.api.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(fleet.api.app.getHttpServer().address() as AddressInfo).port}`;
  token = (await makeToken(fleet.api, fleet.admin, { scopes: ['hosting:read', 'hosting:write', 'provisioning:admin', 'organizations:admin', 'users:admin'] })).token;
  home = await mkdtemp(path.join(os.tmpdir(), 'ruche-import-home-'));
});
afterAll(async () => {
  await alternc?.server.remove();
  await fleet?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ruche(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(RUCHE_|LC_|LANG|LANGUAGE$|XDG_CONFIG_HOME$|NO_COLOR$)/.test(key)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...inherited, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), LANG: 'en_CA.UTF-8', RUCHE_URL: url, RUCHE_TOKEN: token, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function importJson(...extra: string[]): Promise<any> {
  const run = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--interval', '1', '--json', ...extra]);
  expect(run.code, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout);
}

/** Every resource of the co-op, by type and name, with its generation: what a second run must leave as it is. */
async function resources(): Promise<string[]> {
  const page = await fleet.admin.get('/api/v1/resources?limit=200');
  return (page.body.data as Array<{ type: string; name: string; generation: number }>).map((resource) => `${resource.type} ${resource.name} ${resource.generation}`).sort();
}

const itemOf = (answer: any, key: string) => (answer.items as Array<any>).find((item) => item.key === key);

describe('ruche import alternc', () => {
  it('lists in a dry run what it would make and each item it cannot carry with why, and changes nothing', async () => {
    const before = await resources();
    const plan = await importJson('--dry-run');
    expect(plan).toMatchObject({ dryRun: true, status: 'planned', id: null });
    const why = (key: string) => itemOf(plan, key);
    expect(why('organization:radio')).toMatchObject({ outcome: 'create' });
    expect(why('site:radio-cv.org')).toMatchObject({ outcome: 'create' });
    expect(why('mailbox:info@radio-cv.org')).toMatchObject({ outcome: 'create' });
    expect(why('site:boutique.radio-cv.org')).toMatchObject({ outcome: 'cannot_carry', reason: 'disabled', message: 'It is disabled in AlternC.' });
    expect((plan.items as any[]).find((item) => item.kind === 'site' && item.key.includes('*'))).toMatchObject({ outcome: 'cannot_carry', reason: 'wildcard_site' });
    expect(why('dns_record:radio-cv.org:MX:@:10:mail.alternc.example')).toMatchObject({ outcome: 'cannot_carry', reason: 'replaced_by_ruche' });
    expect((plan.items as any[]).find((item) => item.key.includes('HINFO'))).toMatchObject({ outcome: 'cannot_carry', reason: 'record_type_unsupported' });
    expect(why('database_user:2000_myadm')).toMatchObject({ outcome: 'cannot_carry', reason: 'panel_user' });
    // FTP accounts are noted with their folder in the web space, for the SFTP work to come.
    expect(why('ftp_account:radio_web')).toMatchObject({ kind: 'ftp_account', outcome: 'cannot_carry', reason: 'sftp_not_yet', note: 'folder:/www' });
    expect(why('ftp_account:cafe')).toMatchObject({ account: 'cafe', reason: 'sftp_not_yet', note: 'folder:/' });
    // Every item that cannot be carried says why, in words.
    for (const item of plan.items.filter((entry: any) => entry.outcome === 'cannot_carry')) expect(item.message, item.key).toBeTruthy();
    expect(await resources()).toEqual(before);
    expect((await fleet.admin.get('/api/v1/organizations')).body.data.map((organization: any) => organization.name)).not.toContain('radio');

    // In French, without --json: a table in the command's words, each reason as the API words it
    // (in the language of the account the token belongs to: English here).
    const french = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--dry-run', '--lang', 'fr']);
    expect(french.code, french.stderr).toBe(0);
    expect(french.stdout).toMatch(/^COMPTE +SORTE +NOM +RÉSULTAT +POURQUOI/);
    expect(french.stdout).toMatch(/boutique\.radio-cv\.org +non repris +It is disabled in AlternC\./);
    expect(french.stdout).toMatch(/27 à créer, 0 importés, 0 déjà importés, 8 non repris, 0 en échec\./);
  });

  it('imports everything; a run killed half-way and run again completes; a second run changes nothing', async () => {
    // A run killed half-way: a worker process of its own, killed once the import has made something.
    await stopWorker(fleet.worker!);
    fleet.worker = null;
    const workers = workerProcesses(fleet);
    const child = workers.spawn();
    try {
      const source = (await fleet.admin.get('/api/v1/servers')).body.data.find((server: any) => server.name === sourceName);
      const started = await fleet.admin.post('/api/v1/imports', { databaseUrl: alternc.databaseUrl, fromServerId: source.id });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      await eventually(async () => (await fleet.admin.get(`/api/v1/imports/${started.body.id}`)).body.itemsDone >= 3, 60_000, 'the first items made');
      child.kill('SIGKILL');
      const killed = (await fleet.admin.get(`/api/v1/imports/${started.body.id}`)).body;
      expect(killed.status).not.toBe('done');
    } finally {
      workers.killAll();
    }
    await fleet.startWorker();

    // Run again: it completes.
    const done = await importJson();
    expect(done).toMatchObject({ status: 'done', dryRun: false });
    expect(done.items.filter((item: any) => item.outcome === 'failed')).toEqual([]);
    expect(itemOf(done, 'organization:radio').outcome).toBe('already_imported');
    for (const key of ['site:radio-cv.org', 'mailbox:info@radio-cv.org', 'mailbox:archives@radio-cv.org', 'mail_alias:*@radio-cv.org', 'database:radio_wp', 'database_user:radio_app']) {
      expect(['done', 'already_imported'], key).toContain(itemOf(done, key)?.outcome);
    }

    // The organisation is on the nearest plan, with overrides where it falls short of the AlternC quotas.
    const profile = (await fleet.admin.get(`/api/v1/organizations/${itemOf(done, 'organization:radio').targetId}/hosting`)).body;
    expect(profile.plan).not.toBeNull();
    const limit = (meter: string) => profile.quotaOverrides[meter] ?? profile.plan.quotas[meter];
    expect(limit('domains')).toBeGreaterThanOrEqual(5);
    expect(limit('mailboxes')).toBeGreaterThanOrEqual(20);
    expect(limit('databases')).toBeGreaterThanOrEqual(3);

    // Sites answer with their files.
    const web = fleet.server.ports.http!;
    expect((await httpGet(web, { host: 'radio-cv.org' })).body).toContain('archives depuis 1998');
    expect((await httpGet(web, { host: 'www.radio-cv.org', path: '/grille.txt' })).body).toBe('lundi: matin\n');
    expect((await httpGet(web, { host: 'blog.radio-cv.org' })).body).toContain('le blogue de la radio');
    expect((await httpGet(web, { host: 'cafe-sol.org' })).body).toContain('Café Solidaire');
    const redirect = await httpGet(web, { host: 'ancien.radio-cv.org' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('https://radio-cv.org/');

    // Zones answer with their records, hand-made ones included.
    const dns = async (name: string, type: Parameters<typeof queryDns>[0]['type']) => (await queryDns({ port: fleet.server.ports.dnsTcp!, name, type, transport: 'tcp' })).answers.filter((answer) => answer.type === type).map((answer) => answer.data);
    expect(await dns('studio.radio-cv.org', 'A')).toEqual(['198.51.100.7']);
    expect(await dns('_sip._tcp.radio-cv.org', 'SRV')).toEqual(['10 5 5060 sip.radio-cv.org.']);
    expect(await dns('ext.radio-cv.org', 'A')).toEqual(['203.0.113.5']);
    expect(await dns('v6.radio-cv.org', 'AAAA')).toEqual(['2001:db8::5']);
    expect(await dns('relais.radio-cv.org', 'CNAME')).toEqual(['ext.radio-cv.org.']);
    expect(await dns('blog.radio-cv.org', 'A')).toEqual(['192.0.2.10']);
    expect((await dns('radio-cv.org', 'MX')).sort()).toEqual(['10 mail.coop.example.', '5 mx.secours-mail.org.']);
    expect(await dns('radio-cv.org', 'TXT')).toContain('"google-site-verification=radio"');
    expect(await dns('www.cafe-sol.org', 'CNAME')).toEqual(['cafe-sol.org.']);

    // Mailboxes: old passwords (sha512-crypt and md5-crypt), old messages.
    const imap = fleet.server.ports.imap!;
    const info = ALTERNC.mail.info;
    expect((await readInbox({ port: imap, user: info.address, pass: info.password })).map((m) => m.subject)).toContain(info.subject);
    const archives = ALTERNC.mail.archives;
    expect((await readInbox({ port: imap, user: archives.address, pass: archives.password })).map((m) => m.subject)).toContain(archives.subject);
    await expect(readInbox({ port: imap, user: info.address, pass: 'not-the-password' })).rejects.toThrow();
    // The catch-all and the alias deliver into them.
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@exemple.org', to: 'nimportequi@radio-cv.org', subject: 'Pour le catch-all', text: 'bonjour' });
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@exemple.org', to: 'contact@radio-cv.org', subject: 'Pour contact', text: 'bonjour' });
    await eventually(async () => {
      const subjects = (await readInbox({ port: imap, user: info.address, pass: info.password })).map((m) => m.subject);
      return subjects.includes('Pour le catch-all') && subjects.includes('Pour contact');
    }, 20_000, 'the catch-all and the alias delivered');
    await eventually(async () => (await readInbox({ port: imap, user: archives.address, pass: archives.password })).some((m) => m.subject === 'Pour contact'), 20_000, 'the alias’s second destination');

    // The database user logs in with its old password and reads its rows, in both databases.
    const login = { user: ALTERNC.database.user, password: ALTERNC.database.password };
    expect(await session(fleet.server, 'mariadb', { ...login, database: 'radio_wp' }, (sql) => sql('SELECT title FROM posts ORDER BY id'))).toEqual([{ title: 'Bienvenue' }, { title: 'Émission spéciale' }]);
    expect(await session(fleet.server, 'mariadb', { ...login, database: 'radio_main' }, (sql) => sql('SELECT name FROM listeners'))).toEqual([{ name: 'Ginette' }]);

    // The account's owner signs in with their AlternC panel password (bcrypt), and is invited as owner.
    const signIn = await fleet.api.anonymous.post('/api/v1/auth/login', { email: ALTERNC.contacts.radio, password: ALTERNC.panelPasswords.radio });
    expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    const cafe = await fleet.api.anonymous.post('/api/v1/auth/login', { email: ALTERNC.contacts.cafe, password: ALTERNC.panelPasswords.cafe });
    expect(cafe.status, JSON.stringify(cafe.body)).toBe(200);

    // The transfer's key is gone from the AlternC server.
    expect((await alternc.server.exec(['cat', '/root/.ssh/authorized_keys'])).stdout).not.toContain('ruche-move-');

    // A second run changes nothing: the same resources at the same generations, everything already imported.
    const before = await resources();
    const again = await importJson();
    expect(again.status).toBe('done');
    expect(again.items.filter((item: any) => item.outcome === 'done' || item.outcome === 'failed')).toEqual([]);
    expect(await resources()).toEqual(before);
    expect((await httpGet(web, { host: 'radio-cv.org' })).body).toContain('archives depuis 1998');

    // A change on the AlternC server is carried by the next run (rsync copies what changed).
    await alternc.server.exec(['sh', '-c', 'printf "nouvelle grille\\n" > /var/www/alternc/r/radio/www/grille.txt']);
    await alternc.sql("INSERT INTO radio_wp.posts VALUES (3, 'Nouvelle saison');");
    await importJson();
    expect((await httpGet(web, { host: 'radio-cv.org', path: '/grille.txt' })).body).toBe('nouvelle grille\n');
    expect(await session(fleet.server, 'mariadb', { ...login, database: 'radio_wp' }, (sql) => sql('SELECT count(*) AS n FROM posts'))).toEqual([{ n: 3 }]);
  }, 600_000);

  it('runs the last pass with the accounts locked on AlternC: what changed is copied, mail already in Ruche stays, the database user and the mail are held there', async () => {
    const imap = fleet.server.ports.imap!;
    const info = ALTERNC.mail.info;
    const login = { user: ALTERNC.database.user, password: ALTERNC.database.password };
    // Before: the client still uses AlternC; mail already reaches Ruche (its MX).
    expect(await session(alternc.server, 'mariadb', { ...login, database: 'radio_wp' }, (sql) => sql('SELECT count(*) AS n FROM posts'))).toEqual([{ n: 3 }]);
    await sendMail(fleet.server.ports.smtp!, { from: 'auditeur@exemple.org', to: info.address, subject: 'Arrivé chez Ruche', text: 'bonjour' });
    await eventually(async () => (await readInbox({ port: imap, user: info.address, pass: info.password })).some((m) => m.subject === 'Arrivé chez Ruche'), 20_000, 'mail delivered by Ruche');
    // The last changes on AlternC: a message delivered there, a row, a file; a message read there (a new name).
    await alternc.server.exec(['sh', '-c', 'printf "Subject: Dernier chez AlternC\\r\\n\\r\\nau revoir\\r\\n" > /var/mail/alternc/r/radio/info/Maildir/new/1800000000.M9P9.alternc && chown 8:8 /var/mail/alternc/r/radio/info/Maildir/new/1800000000.M9P9.alternc']);
    await alternc.server.exec(['sh', '-c', 'cd /var/mail/alternc/r/radio/archives/Maildir && for f in new/*; do mv "$f" "cur/${f#new/}:2,S"; done']);
    await alternc.sql("INSERT INTO radio_wp.posts VALUES (4, 'Dernière émission');");
    await alternc.server.exec(['sh', '-c', 'printf "à bientôt\\n" > /var/www/alternc/r/radio/www/fin.txt']);

    const run = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--final', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const done = JSON.parse(run.stdout);
    expect(done).toMatchObject({ status: 'done', final: true });
    expect(Date.parse(done.lockedAt)).toBeLessThanOrEqual(Date.parse(done.finishedAt));

    // Ruche has the last changes, and kept the mail it had received.
    const subjects = (await readInbox({ port: imap, user: info.address, pass: info.password })).map((m) => m.subject);
    expect(subjects).toEqual(expect.arrayContaining(['Dernier chez AlternC', 'Arrivé chez Ruche', info.subject]));
    expect(subjects.length).toBe(new Set(subjects).size);
    const archived = (await readInbox({ port: imap, user: ALTERNC.mail.archives.address, pass: ALTERNC.mail.archives.password })).map((m) => m.subject);
    expect(archived.filter((subject) => subject === ALTERNC.mail.archives.subject)).toHaveLength(1);
    expect(await session(fleet.server, 'mariadb', { ...login, database: 'radio_wp' }, (sql) => sql('SELECT title FROM posts WHERE id = 4'))).toEqual([{ title: 'Dernière émission' }]);
    expect((await httpGet(fleet.server.ports.http!, { host: 'radio-cv.org', path: '/fin.txt' })).body).toBe('à bientôt\n');

    // AlternC: the database user is locked out, and mail for the account's domain waits (450).
    const locked = await session(alternc.server, 'mariadb', { ...login, database: 'radio_wp' }, (sql) => sql('SELECT 1')).then(() => null, (error: { errno?: number; message: string }) => error);
    // MariaDB's ER_ACCOUNT_HAS_BEEN_LOCKED (mysql2 names its number after a MySQL error).
    expect(locked).toMatchObject({ errno: 4151, message: expect.stringMatching(/locked/i) });
    const held = await smtpConversation(alternc.server.ports.smtp!, ['EHLO tester.example', 'MAIL FROM:<auditeur@exemple.org>', `RCPT TO:<${info.address}>`]);
    expect(held[2]).toMatchObject({ code: 450 });
    // The other account's domain does not take mail on AlternC (gesmx = 0): nothing was held for it.
    expect((await alternc.server.exec(['cat', '/etc/postfix/ruche-import-hold'])).stdout).not.toContain('cafe-sol.org');
  }, 600_000);

  it('refuses a bad token, a bad argument and an active source, with a message and a non-zero exit', async () => {
    const badToken = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--dry-run', '--json'], { RUCHE_TOKEN: 'rch_not-a-real-token' });
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toMatch(/^ruche: /);
    const badUrl = await ruche(['import', 'alternc', 'postgres://x@y/z', '--from', sourceName, '--json']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/mysql:\/\//);
    const badLogin = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--account', 'Not A Login', '--json']);
    expect(badLogin.code).toBe(2);
    const unknown = await ruche(['import', 'alternc', alternc.databaseUrl, '--from', sourceName, '--account', 'nobody', '--dry-run', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/validation_failed/);
    // The API: 422 with a stable code, and a message in the caller's language (the administrator's account is in English).
    const active = await fleet.admin.post('/api/v1/imports/dry-run', { databaseUrl: alternc.databaseUrl, fromServerId: fleet.serverId });
    expect(active.status).toBe(422);
    expect(active.body.error.details[0]).toMatchObject({ field: 'fromServerId', code: 'import_source_active' });
    expect(active.body.error.details[0].message).toMatch(/must be paused in Ruche first/);
  });
});
