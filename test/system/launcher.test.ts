import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, chmod } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, removeRelocatedCluster } from '@ruche/infra';
import { freePort } from '../support/ports.js';
import { siteFile, zoneFile } from '../support/server-paths.js';

/**
 * The run command as a user runs it: `node infra/dist/run-all.js` (what `npm start` execs
 * after installing and building), with the embedded PostgreSQL, in its own process group.
 */
const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let port: number;
let pgPort: number;
const running: ChildProcess[] = [];

interface Launched {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(extraEnv: Record<string, string> = {}): Launched {
  const child = spawn(process.execPath, [path.join(root, 'infra/dist/run-all.js')], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', RUCHE_DATA_DIR: dataDir, PORT: String(port), RUCHE_EMBEDDED_PG_PORT: String(pgPort), RUCHE_LOG_LEVEL: 'info', ...extraEnv },
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function get(pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function waitReady(launched: Launched, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await get('/ready')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (launched.process.exitCode !== null) throw new Error(`exited early:\n${launched.output()}`);
    if (Date.now() > deadline) throw new Error(`not ready in time:\n${launched.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sends a login whose body arrives in two parts, `between` running in the middle. The request
 * carries `Expect: 100-continue`, so the server's "100 Continue" tells us it has parsed the
 * headers and holds an active request before `between` runs (no guessing with a timer: a
 * connection whose headers the server has not read yet counts as idle and is closed at shutdown).
 */
function slowLogin(email: string, password: string, between: () => Promise<void>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/auth/login',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.once('continue', () => {
      request.write(body.slice(0, 10));
      void between().then(() => request.end(body.slice(10)), reject);
    });
    request.flushHeaders();
  });
}

/** A signed-in session speaking JSON, for the API calls these tests make. */
async function signIn(email: string, password: string) {
  const base = `http://127.0.0.1:${port}`;
  const response = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const call = async (method: string, url: string, body?: unknown) => {
    const answer = await fetch(`${base}${url}`, { method, headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: body ? JSON.stringify(body) : undefined });
    return (await answer.json()) as any;
  };
  return { cookie, get: (url: string) => call('GET', url), post: (url: string, body: unknown) => call('POST', url, body) };
}

/** Waits (up to 10 s) until `condition` holds, e.g. a log line that may still be in the pipe. */
async function until(condition: () => boolean): Promise<boolean> {
  for (let waited = 0; !condition() && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

async function login(email: string, password: string): Promise<number> {
  return slowLogin(email, password, async () => undefined).then((response) => response.status);
}

const portClosed = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new net.Socket();
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
    socket.connect(p, '127.0.0.1');
  });

let adminPassword = '';

beforeAll(async () => {
  const base = path.join(root, 'var/test');
  await mkdir(base, { recursive: true });
  dataDir = await mkdtemp(path.join(base, 'system-'));
  await chmod(dataDir, 0o755);
  port = await freePort();
  pgPort = await freePort();
});

afterAll(async () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // A postgres orphaned by the kill -9 test is stopped by the next launch; make sure none is left.
  const last = launch();
  await waitReady(last).catch(() => undefined);
  process.kill(last.process.pid!, 'SIGTERM');
  await last.exited;
  // A checkout the postgres user cannot enter (root's home) has its cluster under /var/lib/ruche.
  await removeRelocatedCluster(path.join(dataDir, 'postgres'));
  await rm(dataDir, { recursive: true, force: true });
});

describe('the run command', () => {
  it('starts everything on the embedded database and prints the first administrator password once', async () => {
    const first = launch();
    await waitReady(first);
    const match = /Password \(shown once\): (\S+)/.exec(first.output());
    expect(match).not.toBeNull();
    adminPassword = match![1]!;
    expect(first.output()).toMatch(/First administrator: admin@ruche\.localhost/);
    // The address it says to sign in at answers.
    const signInAt = /Sign in at (\S+) /.exec(first.output());
    expect(signInAt?.[1]).toBe(`http://127.0.0.1:${port}/`);
    expect((await get('/')).status).toBe(200);
    expect((await get('/health')).status).toBe(200);
    expect((await get('/metrics')).body).toContain('ruche_http_requests_total');
    expect(JSON.parse((await get('/api/openapi.json')).body).openapi).toBe('3.1.0');
    expect(await login('admin@ruche.localhost', adminPassword)).toBe(200);
    // Every log line is JSON, and the password is not in any of them. (The access log line
    // for the sign-in may still be in the pipe: wait for it rather than for a fixed time.)
    const loggedLogin = () => first.output().split('\n').some((line) => line.includes('"msg":"request"') && line.includes('/api/v1/auth/login'));
    await until(loggedLogin);
    // Credentials sent on requests (a session cookie, a bearer token, even a wrong one) are never logged.
    const sessionCookie = (await signIn('admin@ruche.localhost', adminPassword)).cookie;
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`, { headers: { cookie: sessionCookie, 'x-request-id': 'with-cookie' } })).status).toBe(200);
    const bearer = 'rch_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`, { headers: { authorization: `Bearer ${bearer}`, 'x-request-id': 'with-bearer' } })).status).toBe(401);
    const logged = (id: string) => first.output().includes(`"requestId":"${id}"`);
    expect(await until(() => logged('with-cookie') && logged('with-bearer'))).toBe(true);
    expect(first.output()).not.toContain(sessionCookie.split('=')[1]);
    expect(first.output()).not.toContain(bearer);
    const jsonLines = first.output().split('\n').filter((line) => line.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(5);
    for (const line of jsonLines) expect(() => JSON.parse(line)).not.toThrow();
    expect(jsonLines.join('\n')).not.toContain(adminPassword);
    expect(jsonLines.find((line) => line.includes('"msg":"request"') && line.includes('/api/v1/auth/login'))).toMatch(/"requestId":"[^"]+"/);

    // SIGTERM with a request in flight: that request still gets its answer, then all stops cleanly.
    const inFlight = slowLogin('admin@ruche.localhost', adminPassword, async () => {
      process.kill(first.process.pid!, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect((await inFlight).status).toBe(200);
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/"msg":"stopped"/);
    expect(await portClosed(port)).toBe(true);
    expect(await portClosed(pgPort)).toBe(true);
  });

  it('reuses its data on the next start and prints no new password; logs read as lines for people when asked', async () => {
    // What a terminal gets (auto picks it when standard output is one).
    const second = launch({ RUCHE_LOG_FORMAT: 'pretty' });
    await waitReady(second);
    expect(second.output()).not.toMatch(/shown once/);
    expect(await until(() => /INFO.*API listening/.test(second.output()))).toBe(true);
    expect(second.output().split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    expect(await login('admin@ruche.localhost', adminPassword)).toBe(200);

    // The embedded "server" (a folder) takes a client's domain and site to ready.
    const session = await signIn('admin@ruche.localhost', adminPassword);
    const organization = await session.post('/api/v1/organizations', { name: 'Embedded', locale: 'fr' });
    const domain = await session.post('/api/v1/domains', { organizationId: organization.id, name: 'embedded-default.org' });
    const site = await session.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['embedded-default.org'] });
    for (const path of [`/api/v1/domains/${domain.id}`, `/api/v1/sites/${site.id}`]) {
      const deadline = Date.now() + 20_000;
      while ((await session.get(path)).phase !== 'ready') {
        if (Date.now() > deadline) throw new Error(`${path} did not become ready`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const local = path.join(dataDir, 'servers/local');
    expect(readFileSync(path.join(local, 'etc/nginx/ruche', siteFile(site.id)), 'utf8')).toContain('embedded-default.org "');
    expect(readFileSync(path.join(local, 'etc/knot/ruche', zoneFile('embedded-default.org')), 'utf8')).toMatch(/SOA/);
    expect(readFileSync(path.join(local, 'ruche-commands.log'), 'utf8')).toContain('ruche-nginx-activate');
    process.kill(second.process.pid!, 'SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('recovers after the whole process tree is killed with SIGKILL', async () => {
    const victim = launch();
    await waitReady(victim);
    process.kill(-victim.process.pid!, 'SIGKILL');
    await victim.exited;
    const next = launch();
    await waitReady(next);
    expect(await login('admin@ruche.localhost', adminPassword)).toBe(200);
    process.kill(next.process.pid!, 'SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('recovers after only the launcher is killed with SIGKILL (its database left running)', async () => {
    const victim = launch();
    await waitReady(victim);
    process.kill(victim.process.pid!, 'SIGKILL');
    await victim.exited;
    // The API and worker notice their parent is gone and stop; PostgreSQL is orphaned.
    const deadline = Date.now() + 20_000;
    while (!(await portClosed(port)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await portClosed(port)).toBe(true);
    const next = launch();
    await waitReady(next);
    expect(next.output()).toMatch(/stopping PostgreSQL left running|embedded PostgreSQL started/);
    expect(await login('admin@ruche.localhost', adminPassword)).toBe(200);
    process.kill(next.process.pid!, 'SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('uses the PostgreSQL server DATABASE_URL names, and starts no embedded one', async () => {
    const external = await EmbeddedPostgres.start({ dataDir: path.join(dataDir, 'external-pg'), port: await freePort(), ephemeral: true });
    try {
      const elsewhere = launch({ DATABASE_URL: external.url(), RUCHE_ADMIN_PASSWORD: 'an-external-password' });
      await waitReady(elsewhere);
      expect(elsewhere.output()).not.toMatch(/embedded PostgreSQL started/);
      expect(await portClosed(pgPort)).toBe(true);
      expect(await login('admin@ruche.localhost', 'an-external-password')).toBe(200);
      // The data is in the external server: migrated, with the administrator.
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: external.url() });
      await client.connect();
      try {
        expect((await client.query(`SELECT email FROM users`)).rows).toEqual([{ email: 'admin@ruche.localhost' }]);
      } finally {
        await client.end();
      }
      process.kill(elsewhere.process.pid!, 'SIGTERM');
      expect(await elsewhere.exited).toBe(0);
    } finally {
      await external.destroy();
    }
  });

  it('stops at once with a message naming a bad variable', async () => {
    const child = spawn(process.execPath, [path.join(root, 'infra/dist/run-all.js')], {
      cwd: root,
      env: { ...process.env, PORT: 'not-a-port', RUCHE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/PORT:/);
  });
});
