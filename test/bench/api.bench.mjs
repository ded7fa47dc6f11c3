// The API's cost per request, as a ratio of the floor: a bare Fastify + pg server doing the same
// SQL (test/bench/floor-server.mjs), measured one after the other with the same connections and
// duration, on the same database (100,000 organisations): authenticated list pages with random
// cursors, and audited transactional creates. Then the API process's memory, right after the
// load and once idle (a reading a second, up to 40 s, until it is under 150 MB).
// `npm run bench -- api`   (BENCH_SECONDS changes each measurement's length, 10 by default)
import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { adminToken, apiRss, cores, failures, freePort, mb, root, startRuche } from './support.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const LIST_CONNECTIONS = 8;
const CREATE_CONNECTIONS = 16;

async function startFloor(databaseUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-semi-space-size=4', path.join(root, 'test/bench/floor-server.mjs'), databaseUrl, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

function listPages(baseUrl, headers, cursors) {
  let n = 0;
  return autocannon({
    url: baseUrl,
    connections: LIST_CONNECTIONS,
    duration: seconds,
    headers,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/organizations?limit=50&cursor=${cursors[n++ % cursors.length]}` }) }],
  });
}

function creates(baseUrl, headers) {
  return autocannon({
    url: `${baseUrl}/api/v1/organizations`,
    method: 'POST',
    connections: CREATE_CONNECTIONS,
    duration: seconds,
    headers,
    body: JSON.stringify({ name: 'Benchmark organisation', locale: 'en' }),
  });
}

const percent = (part, whole) => `${Math.round((100 * part) / whole)} %`;

const ruche = await startRuche();
let floor;
try {
  const token = await adminToken(ruche.baseUrl, ['organizations:admin', 'hosting:read']);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const db = new pg.Client({ connectionString: ruche.databaseUrl });
  await db.connect();
  await db.query(`INSERT INTO organizations (id, name, locale) SELECT uuidv7(), 'Organisation ' || n, 'fr' FROM generate_series(1, 100000) AS n`);
  await db.query('ANALYZE organizations');
  const rows = (await db.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n;
  // Cursors spread over the table, so pages come from everywhere, not only the first one.
  const ids = (await db.query('SELECT id FROM organizations TABLESAMPLE SYSTEM (1) LIMIT 200')).rows.map((r) => r.id);
  await db.end();
  const cursors = ids.map((id) => Buffer.from(`v1:${id}`).toString('base64url'));

  floor = await startFloor(ruche.databaseUrl);
  // Warm up both (JIT, connection pools), then measure one after the other.
  for (const target of [floor.baseUrl, ruche.baseUrl]) await autocannon({ url: `${target}/api/v1/organizations?limit=50`, headers, connections: 4, amount: 1000 });
  const floorList = await listPages(floor.baseUrl, headers, cursors);
  const rucheList = await listPages(ruche.baseUrl, headers, cursors);
  const floorCreates = await creates(floor.baseUrl, headers);
  const rucheCreates = await creates(ruche.baseUrl, headers);
  const rss = await apiRss(ruche.baseUrl);
  // Then idle: V8 returns the load's garbage when its memory reducer runs.
  const idleStarted = performance.now();
  let settled = rss;
  let settledAfter = NaN;
  while (performance.now() - idleStarted < 40_000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    settled = await apiRss(ruche.baseUrl);
    if (settled < 150 * 1024 * 1024) {
      settledAfter = (performance.now() - idleStarted) / 1000;
      break;
    }
  }

  const line = (what, result) => `${Math.round(result.requests.average).toLocaleString('en')} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${failures(result)}`;
  console.log(`\nRuche API benchmark — ${cores} cores, Node ${process.version}, ${rows.toLocaleString('en')} organisations, ${seconds} s per measurement`);
  console.log(`  floor (bare Fastify + pg, same SQL):`);
  console.log(`    list page (50 rows, random cursors, ${LIST_CONNECTIONS} connections): ${line('list', floorList)}`);
  console.log(`    create (token lookup, one transaction with its audit row, ${CREATE_CONNECTIONS} connections): ${line('create', floorCreates)}`);
  console.log(`  Ruche:`);
  console.log(
    `    list page: ${line('list', rucheList)} — ${percent(rucheList.requests.average, floorList.requests.average)} of the floor's throughput, p99 ${(rucheList.latency.p99 / Math.max(1, floorList.latency.p99)).toFixed(1)}× the floor's  [target ≥ 50 %, p99 ≤ 2×]`,
  );
  console.log(`    create: ${line('create', rucheCreates)} — ${percent(rucheCreates.requests.average, floorCreates.requests.average)} of the floor's  [target ≥ 40 %]`);
  console.log(`    API process RSS right after the runs: ${mb(rss)} MB; idle, ${Number.isNaN(settledAfter) ? `still ${mb(settled)} MB after 40 s` : `${mb(settled)} MB after ${settledAfter.toFixed(0)} s`}  [target < 150 MB]`);
} finally {
  await floor?.stop();
  await ruche.stop();
}
