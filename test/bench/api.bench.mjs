// Issue 3 benchmark: authenticated list pages over 100,000 rows, authenticated creates,
// and the API process's memory. `npm run bench -- api`
import autocannon from 'autocannon';
import pg from 'pg';
import { adminToken, apiRss, cores, failures, mb, startRuche } from './support.mjs';

const ruche = await startRuche();
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

  // Warm up the JIT and the connection pool.
  await autocannon({ url: `${ruche.baseUrl}/api/v1/organizations?limit=50`, headers, connections: 4, amount: 500 });

  let n = 0;
  const list = await autocannon({
    url: ruche.baseUrl,
    connections: 8,
    duration: 10,
    headers,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/organizations?limit=50&cursor=${cursors[n++ % cursors.length]}` }) }],
  });

  const creates = await autocannon({
    url: `${ruche.baseUrl}/api/v1/organizations`,
    method: 'POST',
    connections: 16,
    duration: 10,
    headers,
    body: JSON.stringify({ name: 'Benchmark organisation', locale: 'en' }),
  });
  const rss = await apiRss(ruche.baseUrl);

  console.log(`\nRuche API benchmark — ${cores} cores, Node ${process.version}, ${rows.toLocaleString('en')} organisations in the table`);
  console.log(`  list page (50 rows, random cursors): p50 ${list.latency.p50} ms, p99 ${list.latency.p99} ms, ${list.requests.average.toFixed(0)} req/s  [target p99 < 50 ms]${failures(list)}`);
  console.log(`  create (POST, audited, transactional): ${creates.requests.average.toFixed(0)} creates/s, p50 ${creates.latency.p50} ms, p99 ${creates.latency.p99} ms  [target ≥ 500/s]${failures(creates)}`);
  console.log(`  API process RSS after the runs: ${mb(rss)} MB  [target < 200 MB]`);
} finally {
  await ruche.stop();
}
