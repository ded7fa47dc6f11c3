// Shared by the benchmarks: start Ruche as `npm start` would, on a fresh embedded database.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresUrl } from '../../infra/dist/embedded-postgres.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN_PASSWORD = 'bench-admin-password';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the launcher on a scratch data folder; answers its URLs and a stop function. */
export async function startRuche(extraEnv = {}) {
  mkdirSync(path.join(root, 'var/bench'), { recursive: true });
  chmodSync(path.join(root, 'var/bench'), 0o755);
  const dataDir = mkdtempSync(path.join(root, 'var/bench/run-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const pgPort = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'infra/dist/run-all.js')], {
    cwd: root,
    stdio: ['ignore', process.env.BENCH_LOG ? 'inherit' : 'ignore', 'inherit'],
    env: { ...process.env, DATABASE_URL: '', RUCHE_DATA_DIR: dataDir, PORT: String(port), RUCHE_EMBEDDED_PG_PORT: String(pgPort), RUCHE_ADMIN_PASSWORD: ADMIN_PASSWORD, RUCHE_LOG_LEVEL: process.env.BENCH_LOG ?? 'warn', ...extraEnv },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/ready`)).ok) break;
    } catch {}
    if (i > 600) throw new Error('Ruche did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const password = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
  // The URL Ruche uses (its cluster's Unix socket): the floor server of the api benchmark uses
  // it too, so both pay the same per query.
  const moved = path.join(dataDir, 'postgres.location');
  const cluster = existsSync(moved) ? readFileSync(moved, 'utf8').trim() : path.join(dataDir, 'postgres');
  const databaseUrl = embeddedPostgresUrl(cluster, pgPort, password, 'ruche');
  return {
    baseUrl,
    databaseUrl,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in as the first administrator and makes a staff API token with every scope it holds. */
export async function adminToken(baseUrl, scopes) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@ruche.localhost', password: ADMIN_PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await login.json();
  const created = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench', scopes }),
  });
  return (await created.json()).token;
}

export async function apiRss(baseUrl) {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^ruche_process_resident_memory_bytes (\d+(\.\d+)?(e\+\d+)?)/m.exec(metrics);
  return match ? Number(match[1]) : NaN;
}

export const cores = os.cpus().length;
export const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

/** An autocannon result's failures, for a figure's line ('' when every answer was 2xx). */
export function failures(result) {
  return result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors!)` : '';
}

/** Signs in as the first administrator (a browser session): answers `api(method, path, body)`, which throws on an error answer. */
export async function adminSession(baseUrl) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@ruche.localhost', password: ADMIN_PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await login.json();
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 || response.status === 202 ? null : response.json();
  };
}
