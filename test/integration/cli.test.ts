import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import * as OTPAuth from 'otpauth';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@ruche/core';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { eventually } from '../support/fleet-harness.js';
import { freePort } from '../support/ports.js';
import { makeBrokenLocalServer, makeClient, makeLocalServer, makeOrganization, makeStaff, makeToken } from '../support/factories.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApi, type Caller, type TestApi } from '../support/test-api.js';

/**
 * The `ruche` command as sysadmins run it: the built CLI (`npm run build`) in a child process,
 * against the real API listening on 127.0.0.1 and a worker reconciling onto `local` servers.
 */
const cli = path.resolve(import.meta.dirname, '../../apps/cli/dist/main.js');

let api: TestApi;
let admin: Caller;
let worker: INestApplicationContext;
let url: string;
let token: string;
let home: string;

beforeAll(async () => {
  api = await startTestApi({ RUCHE_WORKER_METRICS_PORT: '0', RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: '5', RUCHE_QUEUE_POLL_INTERVAL_MS: '250' });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  worker = await createWorker(api.config, createLogger('silent'), api.config.databaseUrl!);
  admin = await api.admin();
  await makeLocalServer(admin, 'dns-cli', ['dns']);
  token = (await makeToken(api, admin, { scopes: ['hosting:read', 'hosting:write', 'provisioning:admin'] })).token;
  home = await mkdtemp(path.join(os.tmpdir(), 'ruche-cli-home-'));
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await api?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: only what the test gives (no RUCHE_* or locale of the machine's). */
function ruche(args: string[], options: { env?: Record<string, string>; input?: string; signalAfter?: (stdout: string) => boolean } = {}): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(RUCHE_|LC_|LANG|LANGUAGE$|XDG_CONFIG_HOME$|NO_COLOR$)/.test(key)));
  const env: Record<string, string | undefined> = { ...inherited, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), LANG: 'en_CA.UTF-8', RUCHE_URL: url, RUCHE_TOKEN: token, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.signalAfter && !signalled && options.signalAfter(stdout)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The output parses as one JSON document (and the command succeeded). */
async function json(args: string[], env?: Record<string, string>): Promise<any> {
  const run = await ruche([...args, '--json'], { env });
  expect(run.code, `ruche ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout);
}
const jsonLines = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line));
const totpFor = (secret: string, offsetSteps = 0) => OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 });

describe('ruche login and logout', () => {
  it('sign in with a password, store a token readable by its owner only, and revoke it', { timeout: 60_000 }, async () => {
    const configHome = path.join(home, 'login-password');
    const env = { XDG_CONFIG_HOME: configHome, RUCHE_TOKEN: '' };
    const login = await ruche(['login', '--email', ADMIN_EMAIL, '--password-stdin'], { env, input: `${ADMIN_PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Signed in to ${url} as ${ADMIN_EMAIL}.`);
    expect(login.stdout + login.stderr).not.toContain(ADMIN_PASSWORD);
    const file = path.join(configHome, 'ruche/config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(stored).toMatchObject({ url, email: ADMIN_EMAIL, token: expect.stringMatching(/^rch_/) });
    expect(stored.scopes.sort()).toEqual(['audit:read', 'hosting:read', 'hosting:write', 'organizations:admin', 'provisioning:admin', 'users:admin']);
    expect(JSON.stringify(stored)).not.toContain(ADMIN_PASSWORD);
    // The session that made the token was ended; the token expires (90 days unless told).
    const [sessions] = await api.db.query(`SELECT count(*)::int AS open FROM sessions WHERE user_agent LIKE 'ruche-cli/%'`);
    expect(sessions.open).toBe(0);
    expect(Date.parse(stored.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);

    // Commands use the stored login (no RUCHE_URL nor RUCHE_TOKEN), and RUCHE_TOKEN overrides it.
    const servers = await json(['servers', 'list'], { ...env, RUCHE_URL: '' });
    expect(servers.data.map((s: { name: string }) => s.name)).toContain('dns-cli');
    expect((await ruche(['servers'], { env: { ...env, RUCHE_URL: '', RUCHE_TOKEN: 'rch_not-a-token' } })).code).toBe(3);

    // Signing in again replaces the token, and the one it replaces is revoked.
    const again = await ruche(['login', '--email', ADMIN_EMAIL, '--password-stdin'], { env, input: ADMIN_PASSWORD });
    expect(again.code, again.stderr).toBe(0);
    expect((await ruche(['servers'], { env: { RUCHE_TOKEN: stored.token } })).code).toBe(3);
    const replaced = JSON.parse(await readFile(file, 'utf8'));
    expect(replaced.token).not.toBe(stored.token);

    const logout = await ruche(['logout'], { env: { ...env, RUCHE_URL: '' } });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('the token was revoked');
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    const revoked = await ruche(['servers'], { env: { RUCHE_TOKEN: replaced.token } });
    expect(revoked.code).toBe(3);
    const notSignedIn = await ruche(['servers'], { env: { ...env, RUCHE_URL: '' } });
    expect(notSignedIn).toMatchObject({ code: 3, stderr: expect.stringContaining('ruche login') });
    expect(await json(['logout'], { ...env, RUCHE_URL: '' })).toMatchObject({ signedOut: false });
  });

  it('ask for the two-factor code of an account that has it, in the caller’s language', async () => {
    const staff = await makeStaff(api, admin, ['sysadmin']);
    const setup = await staff.caller.post('/api/v1/auth/2fa/setup', {});
    expect((await staff.caller.post('/api/v1/auth/2fa/enable', { code: totpFor(setup.body.secret) })).status).toBe(200);
    const env = { XDG_CONFIG_HOME: path.join(home, 'login-2fa'), RUCHE_TOKEN: '' };
    const args = ['login', '--email', staff.email, '--password-stdin'];

    // No terminal to ask on: the code must come as an option.
    const noCode = await ruche(args, { env, input: staff.password });
    expect(noCode).toMatchObject({ code: 2, stderr: expect.stringContaining('give --otp') });
    const wrong = await ruche([...args, '--otp', '000000', '--lang', 'fr'], { env, input: staff.password });
    expect(wrong).toMatchObject({ code: 3, stderr: expect.stringContaining('invalid_two_factor_code: Ce code à deux facteurs n’est pas valide.') });
    const right = await ruche([...args, '--otp', totpFor(setup.body.secret, 1), '--json'], { env, input: staff.password });
    expect(right.code, right.stderr).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ url, email: staff.email, scopes: expect.arrayContaining(['provisioning:admin']) });
    expect(right.stdout).not.toContain(staff.password);
  });

  it('make no token for an account that holds none of a sysadmin’s permissions', async () => {
    const organization = await makeOrganization(admin);
    const client = await makeClient(api, admin, organization.id);
    const env = { XDG_CONFIG_HOME: path.join(home, 'login-client'), RUCHE_TOKEN: '' };
    const run = await ruche(['login', '--email', client.email, '--password-stdin'], { env, input: client.password });
    expect(run).toMatchObject({ code: 4, stderr: expect.stringContaining('No token was made') });
    expect((await client.caller.get('/api/v1/tokens')).body.data).toEqual([]);
    const wrongPassword = await ruche(['login', '--email', client.email, '--password-stdin', '--lang', 'fr'], { env, input: 'not the password' });
    expect(wrongPassword).toMatchObject({ code: 3, stderr: expect.stringContaining('invalid_credentials: ') });
  });
});

describe('ruche, for scripts and people', () => {
  it('answers JSON that parses on every command, and tables by default', { timeout: 120_000 }, async () => {
    const added = await json(['servers', 'add', 'web-json', '--address', '127.0.0.1', '--transport', 'local', '--services', 'web']);
    expect(added).toMatchObject({ server: { name: 'web-json', transport: 'local' }, hostKey: { fingerprint: null, pinned: 'none' } });
    const id = added.server.id as string;
    expect((await json(['servers'])).data.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['web-json', 'dns-cli']));
    expect(await json(['servers', 'show', 'web-json'])).toMatchObject({ server: { id, name: 'web-json' }, recentJobs: expect.any(Array), recentEvents: expect.any(Array) });
    expect(await json(['servers', 'show', id])).toMatchObject({ server: { id } });
    expect((await json(['servers', 'key'])).publicKey).toMatch(/^ssh-ed25519 /);
    expect(await json(['servers', 'pause', 'web-json'])).toMatchObject({ id, status: 'paused' });
    expect(await json(['servers', 'resume', 'web-json'])).toMatchObject({ id, status: 'active' });
    expect(await json(['servers', 'resync', 'web-json'])).toEqual({ queued: 1, serverId: id });
    expect((await json(['servers', 'resync', '--all'])).queued).toBeGreaterThanOrEqual(2);
    const jobs = await json(['jobs', 'list', '--server', 'web-json', '--limit', '5']);
    expect(jobs.data).toEqual(expect.any(Array));
    expect(jobs).toHaveProperty('nextCursor');
    expect((await json(['jobs', 'list', '--status', 'queued'])).data).toEqual(expect.any(Array));
    expect(await json(['events', '--limit', '3'])).toMatchObject({ data: expect.any(Array), nextCursor: null });
    expect(await json(['resources', 'find', 'nothing-is-called-this'])).toEqual({ data: [], nextCursor: null });

    const table = await ruche(['servers', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+ID\s+ADDRESS\s+TRANSPORT\s+SERVICES\s+STATUS\s+RESOURCES\n/);
    expect(table.stdout).toMatch(/web-json\s+\S+\s+127\.0\.0\.1:22\s+local\s+web\s+active\s+0/);
    const french = await ruche(['servers', 'show', 'web-json'], { env: { LANG: 'fr_CA.UTF-8' } });
    expect(french.stdout).toMatch(/^NOM\s+web-json$/m);
    expect(french.stdout).toMatch(/^ÉTAT\s+actif$/m);
    expect(await json(['servers', 'remove', 'web-json'])).toEqual({ removed: { id, name: 'web-json' } });
  });

  it('exits 3 on a bad token and 2 on a bad argument, with a message in English or French', { timeout: 120_000 }, async () => {
    const badToken = await ruche(['servers'], { env: { RUCHE_TOKEN: 'rch_wrong' } });
    expect(badToken).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('unauthenticated: Sign in or send a valid API token.') });
    const badTokenFr = await ruche(['servers'], { env: { RUCHE_TOKEN: 'rch_wrong', LANG: 'fr_CA.UTF-8' } });
    expect(badTokenFr).toMatchObject({ code: 3, stderr: expect.stringContaining('unauthenticated: Connectez-vous ou envoyez un jeton d’API valide.') });
    expect(badTokenFr.stderr).toContain('Reconnectez-vous avec `ruche login`');

    const badId = await ruche(['jobs', 'retry', 'site', 'not-an-id']);
    expect(badId).toMatchObject({ code: 2, stderr: expect.stringContaining('<id> must be an id (a UUID), not “not-an-id”') });
    const badIdFr = await ruche(['--lang', 'fr', 'jobs', 'retry', 'site', 'not-an-id']);
    expect(badIdFr).toMatchObject({ code: 2, stderr: expect.stringContaining('<id> doit être un identifiant (un UUID), pas « not-an-id »') });
    expect(await ruche(['jobs', 'list', '--status', 'lost'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--status must be one of queued, running') });
    expect(await ruche(['servers', 'frobnicate'], { env: { LANG: 'fr_CA.UTF-8' } })).toMatchObject({ code: 2, stderr: expect.stringContaining('commande inconnue frobnicate') });
    expect(await ruche(['servers', 'add', 'x', '--services', 'web'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/option --address <address> is required\nruche: See `ruche servers add --help`/) });
    expect(await ruche(['resources', 'find'])).toMatchObject({ code: 2, stderr: expect.stringContaining('missing argument <name>') });

    // What the API refuses is 1, with its message in the caller's language and the fields at fault.
    const refused = await ruche(['servers', 'add', 'Not A Name!', '--address', '127.0.0.1', '--transport', 'local', '--services', 'web', '--lang', 'fr']);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/validation_failed: .*\n {2}name: /) });
    expect(await ruche(['jobs', 'retry', 'site', '01a20000-0000-7000-8000-000000000000'])).toMatchObject({ code: 1, stderr: expect.stringContaining('not_found: ') });
    expect(await ruche(['servers', 'show', 'no-such-server'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no server is named “no-such-server”') });
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await ruche(['servers'], { env: { RUCHE_URL: closed } })).toMatchObject({ code: 5, stderr: expect.stringContaining(`cannot reach the Ruche API at ${closed} (ECONNREFUSED)`) });
    const client = await makeToken(api, admin, { scopes: ['hosting:read'] });
    expect(await ruche(['servers'], { env: { RUCHE_TOKEN: client.token } })).toMatchObject({ code: 4, stderr: expect.stringContaining('missing_scope: ') });
    expect(await ruche(['help', 'jobs'])).toMatchObject({ code: 0, stdout: expect.stringContaining('watch [options]') });
  });

  it('finds resources by name across organisations', { timeout: 60_000 }, async () => {
    const first = await makeOrganization(admin, { name: 'Coop des érables' });
    const second = await makeOrganization(admin, { name: 'Atelier 日本' });
    expect((await admin.post('/api/v1/domains', { organizationId: first.id, name: 'partage-erable.org' })).status).toBe(201);
    expect((await admin.post('/api/v1/domains', { organizationId: second.id, name: 'partage-atelier.org' })).status).toBe(201);
    const found = await json(['resources', 'find', 'partage-']);
    expect(found.data.map((r: { name: string; organizationName: string }) => [r.name, r.organizationName]).sort()).toEqual([
      ['partage-atelier.org', 'Atelier 日本'],
      ['partage-erable.org', 'Coop des érables'],
    ]);
    expect((await json(['resources', 'find', 'partage-', '--type', 'site'])).data).toEqual([]);
    const paged = await json(['resources', 'find', 'partage-', '--limit', '1']);
    expect(paged.data).toHaveLength(1);
    const rest = await json(['resources', 'find', 'partage-', '--cursor', paged.nextCursor]);
    expect(rest.data.map((r: { id: string }) => r.id)).not.toContain(paged.data[0].id);
    const table = await ruche(['resources', 'find', 'partage-']);
    expect(table.stdout).toMatch(/^TYPE\s+NAME\s+ORGANISATION\s+SERVER\s+PHASE/);
    expect(table.stdout).toMatch(/domain\s+partage-atelier\.org\s+Atelier 日本\s+dns-cli/);
  });

  it('shows a resource that failed for real, retries it once repaired, and watches the queue until it settles', { timeout: 240_000 }, async () => {
    const server = await makeBrokenLocalServer(api, admin, 'broken-web-cli', ['web']);
    const organization = await makeOrganization(admin, { name: 'Coop en panne' });
    expect((await admin.post('/api/v1/domains', { organizationId: organization.id, name: 'panne-cli.org' })).status).toBe(201);
    const site = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['www.panne-cli.org'], serverId: server.id });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    await eventually(async () => (await admin.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'failed', 20_000, 'the site to fail');

    const shown = await json(['resources', 'show', 'site', site.body.id]);
    expect(shown.resource).toMatchObject({ type: 'site', name: 'www.panne-cli.org', organizationName: 'Coop en panne', phase: 'failed', lastError: expect.any(String) });
    expect(shown.events.map((e: { toPhase: string }) => e.toPhase)).toContain('failed');
    const human = await ruche(['resources', 'show', 'site', site.body.id]);
    expect(human.stdout).toMatch(/^PHASE\s+failed$/m);
    expect(human.stdout).toMatch(/History \(newest first\):\nWHEN\s+KIND\s+CHANGE/);
    expect(human.stdout).toMatch(/phase\s+\S+ → failed/);
    const failedJobs = await json(['jobs', 'list', '--status', 'failed', '--server', 'broken-web-cli']);
    expect(failedJobs.data.length + (await json(['jobs', 'list', '--server', 'broken-web-cli'])).data.filter((j: { resourcesFailed: number }) => j.resourcesFailed > 0).length).toBeGreaterThan(0);

    // Still broken: the retry runs, fails again, and says so with exit 1.
    const again = await ruche(['jobs', 'retry', 'site', site.body.id, '--wait', '--timeout', '30']);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toContain('The site www.panne-cli.org failed again: ');
    // A resync of the broken server, watched: JSON lines until it settles, exit 1 for the failure.
    const watchedFailure = await ruche(['servers', 'resync', 'broken-web-cli', '--watch', '--json', '--timeout', '60']);
    expect(watchedFailure.code, watchedFailure.stderr).toBe(1);
    const failureLines = jsonLines(watchedFailure.stdout);
    expect(failureLines.at(-1)).toMatchObject({ event: 'settled', failed: expect.any(Number) });
    expect(failureLines.at(-1).failed).toBeGreaterThan(0);

    // Repaired: the retry applies it, and the watched resync settles with nothing failed.
    await server.repair();
    const retried = await ruche(['jobs', 'retry', 'site', site.body.id, '--wait', '--json', '--timeout', '30']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ retried: [{ type: 'site', id: site.body.id }], resource: { phase: 'ready' } });
    const watched = await ruche(['servers', 'resync', 'broken-web-cli', '--watch', '--json', '--timeout', '60']);
    expect(watched.code, watched.stderr).toBe(0);
    const lines = jsonLines(watched.stdout);
    expect(lines.at(-1)).toMatchObject({ event: 'settled', failed: 0 });
    expect(lines.at(-1).finished).toBeGreaterThanOrEqual(1);
    const finished = lines.filter((line) => line.event === 'finished');
    expect(finished.map((line) => line.job.serverId)).toContain(server.id);
    expect(finished.every((line) => line.job.status === 'succeeded')).toBe(true);
    // People get a line per finished reconcile and a summary.
    const humanWatch = await ruche(['servers', 'resync', 'broken-web-cli', '--watch', '--timeout', '60']);
    expect(humanWatch.code, humanWatch.stderr).toBe(0);
    expect(humanWatch.stdout).toMatch(/^1 reconcile queued for broken-web-cli\.$/m);
    expect(humanWatch.stdout).toMatch(/^✓ .*broken-web-cli\s+web\s+succeeded/m);
    expect(humanWatch.stdout).toMatch(/^Done: \d+ reconciles? ran, \d+ succeeded, 0 failed\./m);
    // A plain watch of a quiet queue settles too, and Ctrl-C ends a --follow cleanly.
    expect(jsonLines((await ruche(['jobs', 'watch', '--server', 'broken-web-cli', '--json'])).stdout).at(-1)).toMatchObject({ event: 'settled' });
    const followed = await ruche(['events', '--follow', '--json', '--server', 'broken-web-cli'], { signalAfter: () => true });
    expect(followed.code).toBe(0);
  });

  it('pins the host key a server shows when it is added, or refuses one that is not the key given', async () => {
    const sshServer = await startFakeSshServer();
    try {
      const add = (name: string, extra: string[] = []) =>
        ruche(['servers', 'add', name, '--address', '127.0.0.1', '--port', String(sshServer.port), '--services', 'web', ...extra]);
      const seen = await add('ssh-seen');
      expect(seen.code, seen.stderr).toBe(0);
      expect(seen.stdout).toContain(`Host key pinned: ${sshServer.fingerprint}, the key ssh-seen showed on first contact.`);
      const given = await add('ssh-given', ['--fingerprint', sshServer.fingerprint, '--json']);
      expect(JSON.parse(given.stdout)).toMatchObject({ server: { hostKeyFingerprint: sshServer.fingerprint }, hostKey: { pinned: 'given' } });
      const other = `SHA256:${'A'.repeat(43)}`;
      const refused = await add('ssh-other', ['--fingerprint', other]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('host_key_mismatch: ');
      expect(refused.stderr).toContain(sshServer.fingerprint);
      expect(await add('ssh-bad', ['--fingerprint', 'md5:00'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--fingerprint must look like SHA256:') });
    } finally {
      await sshServer.close();
    }
  });

  it('refuses bad arguments to import and move with exit 2, and a drain’s dry run changes nothing', { timeout: 60_000 }, async () => {
    expect(await ruche(['import', 'alternc', 'http://nope', '--from', 'x'])).toMatchObject({ code: 2 });
    expect(await ruche(['move', '01a20000-0000-7000-8000-000000000000', 'ftp', '--to', 'web2'])).toMatchObject({ code: 2 });
    expect(await ruche(['move', 'not-an-id', 'web', '--to', 'web2'])).toMatchObject({ code: 2 });
    // A drain's dry run lists what would move and changes nothing.
    const dryRun = await ruche(['servers', 'drain', 'dns-cli', '--dry-run', '--json']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ resources: expect.any(Array) });
    expect((await ruche(['servers', 'show', 'dns-cli', '--json'])).stdout).toContain('"status": "active"');
  });
});

/**
 * An SSH server in this process that accepts any key and answers every command with success:
 * enough for registration to connect, pin its host key and check services.
 */
async function startFakeSshServer(): Promise<{ port: number; fingerprint: string; close(): Promise<void> }> {
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const parsed = ssh2.utils.parseKey(keys.public);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (context) => context.accept());
    client.on('error', () => undefined);
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec) => {
          const stream = acceptExec();
          stream.write('/usr/sbin/nginx\n');
          stream.exit(0);
          stream.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint,
    // Its clients too: a worker sets a registered server up at once, and keeps its connection.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.end();
      }),
  };
}
