// Database benchmarks, on a real Debian server container running MariaDB and PostgreSQL, reached
// over SSH (the production path):
//  1. click-to-live: from the API request creating a database and its user to that user logging
//     in over the network, p50 and p99 per engine;
//  2. 500 databases, each with a user granted it (half MariaDB, half PostgreSQL), converging onto
//     one server at once (as after an import): wall time, reconcile runs, the longest run.
// `npm run bench -- databases`
import mysql from 'mysql2/promise';
import pg from 'pg';
import { ensureFleetReady, startServer } from '../../infra/dist/fleet/index.js';
import { databasePasswordVerifier } from '../../libs/hosting/dist/credentials/credential-hashes.js';
import { ADMIN_PASSWORD, cores, startRuche } from './support.mjs';

const CLICKS = Number(process.env.BENCH_DATABASE_CLICKS ?? 10);
const DATABASES = Number(process.env.BENCH_DATABASES ?? 500);
const ENGINES = ['mariadb', 'postgresql'];
const PASSWORD = 'bench-database-password';

/** Null once `user` logs in to `database` over the network, else why not. */
async function loginFails(server, engine, user, database) {
  try {
    if (engine === 'mariadb') {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: server.ports.mariadb, user, password: PASSWORD, database, connectTimeout: 5_000 });
      await connection.query('SELECT 1');
      await connection.end();
    } else {
      const client = new pg.Client({ host: '127.0.0.1', port: server.ports.postgresql, user, password: PASSWORD, database, connectionTimeoutMillis: 5_000 });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
    }
    return null;
  } catch (error) {
    return error.code ?? error.message;
  }
}

await ensureFleetReady();
const ruche = await startRuche();
let server;
try {
  const login = await fetch(`${ruche.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@ruche.localhost', password: ADMIN_PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await login.json();
  const api = async (method, path, body) => {
    const response = await fetch(`${ruche.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  };

  const { publicKey } = await api('GET', '/api/v1/servers/ssh-public-key');
  server = await startServer({ services: ENGINES, authorizedKey: publicKey });
  const registered = await api('POST', '/api/v1/servers', { name: server.name, address: '127.0.0.1', port: server.ports.ssh, transport: 'ssh', services: ENGINES, publicIpv4: '192.0.2.10' });
  const organization = await api('POST', '/api/v1/organizations', { name: 'Bench', locale: 'fr' });
  await api('PATCH', `/api/v1/organizations/${organization.id}`, { placement: { mariadb: registered.id, postgresql: registered.id } });
  await api('PUT', `/api/v1/organizations/${organization.id}/quota-overrides`, { databases: DATABASES + 2 * CLICKS + 10 });

  // 1. Click to live.
  const latencies = { mariadb: [], postgresql: [] };
  for (let i = 0; i < CLICKS; i++) {
    for (const engine of ENGINES) {
      const started = performance.now();
      const database = await api('POST', '/api/v1/databases', { organizationId: organization.id, engine, name: `click${i}` });
      const user = await api('POST', '/api/v1/database-users', { organizationId: organization.id, engine, name: `click${i}`, password: PASSWORD, databases: [database.id] });
      while ((await loginFails(server, engine, user.name, database.name)) !== null) {
        if (performance.now() - started > 30_000) throw new Error(`${user.name} never logged in to ${database.name} (${engine})`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies[engine].push(performance.now() - started);
    }
  }
  const pct = (values, p) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(0);
  };

  // 2. DATABASES databases with a user each, written at once (as an import would), then one resync.
  const db = new pg.Client({ connectionString: ruche.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  const perEngine = Math.ceil(DATABASES / ENGINES.length);
  for (const engine of ENGINES) {
    const names = Array.from({ length: perEngine }, (_, n) => `bench_u${n + 1}`);
    await db.query(
      `INSERT INTO databases (id, organization_id, server_id, engine, name) SELECT uuidv7(), $1, $2, $3, 'bench_d' || n FROM generate_series(1, $4) AS n`,
      [organization.id, registered.id, engine, perEngine],
    );
    await db.query(
      `INSERT INTO database_users (id, organization_id, server_id, engine, name, password_verifier)
       SELECT uuidv7(), $1, $2, $3, u.name, u.verifier FROM unnest($4::text[], $5::text[]) AS u(name, verifier)`,
      [organization.id, registered.id, engine, names, names.map(() => databasePasswordVerifier(engine, PASSWORD))],
    );
  }
  await db.query(
    `INSERT INTO database_grants (database_user_id, database_id)
     SELECT u.id, d.id FROM database_users u JOIN databases d ON d.engine = u.engine AND d.name = 'bench_d' || substr(u.name, 8) WHERE u.name LIKE 'bench\\_u%'`,
  );
  const before = (await db.query(`SELECT coalesce(max(id::text), '') AS last FROM reconcile_runs`)).rows[0].last;
  const started = performance.now();
  await api('POST', `/api/v1/servers/${registered.id}/resync`, {});
  const converged = {};
  for (;;) {
    const { rows } = await db.query(
      `SELECT engine, count(*) FILTER (WHERE phase = 'ready')::int AS ready, count(*) FILTER (WHERE phase = 'failed')::int AS failed
         FROM (SELECT engine, phase FROM databases WHERE name LIKE 'bench\\_d%' UNION ALL SELECT engine, phase FROM database_users WHERE name LIKE 'bench\\_u%') r
        GROUP BY engine`,
    );
    for (const row of rows) {
      if (row.failed > 0) throw new Error(`${row.failed} ${row.engine} resources failed`);
      if (row.ready === 2 * perEngine && !converged[row.engine]) converged[row.engine] = (performance.now() - started) / 1000;
    }
    if (ENGINES.every((engine) => converged[engine])) break;
    if (performance.now() - started > 600_000) throw new Error(`not converged after 10 minutes: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const wall = (performance.now() - started) / 1000;
  // The runs record what they did just after the outcomes.
  while ((await db.query(`SELECT count(*)::int AS running FROM reconcile_runs WHERE status = 'running'`)).rows[0].running > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  const runs = (
    await db.query(
      `SELECT service, count(*)::int AS runs, max(duration_ms)::int AS longest, sum(resources_applied)::int AS applied FROM reconcile_runs WHERE id::text > $1 GROUP BY service ORDER BY service`,
      [before],
    )
  ).rows;
  await db.end();
  const checks = await Promise.all(ENGINES.map(async (engine) => `${engine} bench_u${perEngine}: ${(await loginFails(server, engine, `bench_u${perEngine}`, `bench_d${perEngine}`)) ?? 'logs in'}`));

  console.log(`\nRuche database benchmark — ${cores} cores, Node ${process.version}, one server container over SSH running MariaDB and PostgreSQL`);
  for (const engine of ENGINES) {
    console.log(`  click to live (API creates a database and its user → the user logs in over the network), ${engine}, ${CLICKS} times: p50 ${pct(latencies[engine], 50)} ms, p99 ${pct(latencies[engine], 99)} ms`);
  }
  console.log(
    `  ${(perEngine * ENGINES.length).toLocaleString('en')} databases with a user each (${perEngine} per engine) onto one server: ${wall.toFixed(1)} s wall (${ENGINES.map((engine) => `${engine} ${converged[engine].toFixed(1)} s`).join(', ')})  [target < 60 s]`,
  );
  for (const run of runs) console.log(`    ${run.service}: ${run.runs} reconcile run(s), ${run.applied} resources applied, longest run ${run.longest} ms`);
  console.log(`  check: ${checks.join('; ')}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await server?.remove().catch(() => undefined);
  await ruche.stop();
}
