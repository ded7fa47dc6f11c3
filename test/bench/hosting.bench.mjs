// Issues 4 and 14 benchmark: 10,000 domains added through the API in batches while the worker
// reconciles them, more added one request each, 5 records on each of those, then listed.
// `npm run bench -- hosting` (BENCH_DOMAINS: the batched ones; BENCH_SINGLE_DOMAINS: one by one)
import autocannon from 'autocannon';
import pg from 'pg';
import { adminToken, cores, failures, startRuche } from './support.mjs';

const BULK = Number(process.env.BENCH_DOMAINS ?? 10_000);
const BATCH = 1000;
if (!(BULK >= 1)) throw new Error('BENCH_DOMAINS must be at least 1');
const DOMAINS = Number(process.env.BENCH_SINGLE_DOMAINS ?? 2_000);
const RECORDS_PER_DOMAIN = 5;
const CONNECTIONS = 16;

const ruche = await startRuche();
let db;
try {
  const token = await adminToken(ruche.baseUrl, ['organizations:admin', 'hosting:read', 'hosting:write', 'provisioning:admin']);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method, path, body) => {
    const response = await fetch(`${ruche.baseUrl}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  };
  for (const [name, services, extra] of [
    ['dns-1', ['dns'], {}],
    ['web-1', ['web'], { publicIpv4: '192.0.2.10' }],
    ['mail-1', ['mail'], { publicHostname: 'mail.coop.example' }],
  ]) {
    await api('POST', '/api/v1/servers', { name, address: '127.0.0.1', transport: 'local', services, ...extra });
  }
  const organization = await api('POST', '/api/v1/organizations', { name: 'Benchmark co-op', locale: 'fr' });
  await api('PUT', `/api/v1/organizations/${organization.id}/quota-overrides`, { domains: DOMAINS * 2 });
  const importer = await api('POST', '/api/v1/organizations', { name: 'Moving-in co-op', locale: 'fr' });
  await api('PUT', `/api/v1/organizations/${importer.id}/quota-overrides`, { domains: BULK });

  // Bulk: batches of 1,000 on 2 connections (one when there is a single batch: autocannon wants
  // at least one request per connection), while the worker places their zones on the servers.
  db = new pg.Client({ connectionString: ruche.databaseUrl });
  // Without a handler, the end of the database in `finally` would crash the benchmark and hide
  // the error that brought it there.
  db.on('error', () => undefined);
  await db.connect();
  let batchesSent = 0;
  const batches = Math.ceil(BULK / BATCH);
  const bulkStarted = performance.now();
  const bulk = await autocannon({
    url: ruche.baseUrl,
    connections: Math.min(2, batches),
    amount: batches,
    timeout: 60,
    headers,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/domains/batch',
        setupRequest: (request) => {
          const first = batchesSent++ * BATCH;
          const domains = Array.from({ length: Math.min(BATCH, BULK - first) }, (_, i) => ({ name: `moved-in-${first + i}.org` }));
          return { ...request, body: JSON.stringify({ organizationId: importer.id, domains }) };
        },
      },
    ],
  });
  const bulkSeconds = (performance.now() - bulkStarted) / 1000;
  const bulkAdded = Number((await db.query(`SELECT count(*) FROM domains WHERE organization_id = $1`, [importer.id])).rows[0].count);
  const readyAtEnd = Number((await db.query(`SELECT count(*) FROM domains WHERE organization_id = $1 AND phase = 'ready'`, [importer.id])).rows[0].count);
  let caughtUp = NaN;
  for (;;) {
    const { rows } = await db.query(`SELECT count(*) FILTER (WHERE phase = 'ready') AS ready, count(*) FILTER (WHERE phase = 'failed') AS failed FROM domains WHERE organization_id = $1`, [importer.id]);
    if (Number(rows[0].ready) + Number(rows[0].failed) >= bulkAdded) {
      caughtUp = (performance.now() - bulkStarted) / 1000;
      if (Number(rows[0].failed) > 0) console.log(`  (${rows[0].failed} zones failed!)`);
      break;
    }
    if ((performance.now() - bulkStarted) / 1000 > 600) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Domains (each with its default zone: A, AAAA-less, CNAME www, MX).
  let next = 0;
  const domainIds = [];
  const domains = await autocannon({
    url: ruche.baseUrl,
    connections: CONNECTIONS,
    amount: DOMAINS,
    headers,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/domains',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ organizationId: organization.id, name: `bench-${next++}.org` }) }),
        onResponse: (status, body) => {
          if (status === 201) domainIds.push(JSON.parse(body).id);
        },
      },
    ],
  });

  // Five records per domain.
  const kinds = [
    (i) => ({ type: 'A', name: 'app', value: `192.0.2.${i % 250}` }),
    (i) => ({ type: 'AAAA', name: 'app', value: `2001:db8::${(i % 65535).toString(16)}` }),
    () => ({ type: 'TXT', name: '@', value: '"v=spf1 mx -all"' }),
    () => ({ type: 'MX', name: '@', value: 'backup-mx.example.net', priority: 20 }),
    () => ({ type: 'CAA', name: '@', value: '0 issue "letsencrypt.org"' }),
  ];
  let n = 0;
  const records = await autocannon({
    url: ruche.baseUrl,
    connections: CONNECTIONS,
    amount: domainIds.length * RECORDS_PER_DOMAIN,
    headers,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const i = n++;
          const domainId = domainIds[Math.floor(i / RECORDS_PER_DOMAIN) % domainIds.length];
          return { ...request, path: `/api/v1/domains/${domainId}/records`, body: JSON.stringify(kinds[i % RECORDS_PER_DOMAIN](i)) };
        },
      },
    ],
  });

  // Listing: a full walk of the domains 100 at a time, then random pages under load.
  const walk = [];
  let cursor = null;
  let listed = 0;
  const started = performance.now();
  do {
    const t0 = performance.now();
    const page = await api('GET', `/api/v1/domains?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    walk.push(performance.now() - t0);
    listed += page.data.length;
    cursor = page.nextCursor;
  } while (cursor);
  const walkSeconds = (performance.now() - started) / 1000;
  walk.sort((a, b) => a - b);
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1);

  let r = 0;
  const randomPages = await autocannon({
    url: ruche.baseUrl,
    connections: 8,
    duration: 10,
    headers,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/api/v1/domains/${domainIds[r++ % domainIds.length]}/records` }) }],
  });
  let q = 0;
  const lists = await autocannon({
    url: ruche.baseUrl,
    connections: 8,
    duration: 10,
    headers,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const after = domainIds[(q++ * 97) % domainIds.length];
          return { ...request, path: `/api/v1/domains?limit=50&cursor=${Buffer.from(`v1:${after}`).toString('base64url')}` };
        },
      },
    ],
  });

  const rate = (result) => (result['2xx'] / result.duration).toFixed(0);
  console.log(`\nRuche hosting benchmark — ${cores} cores, Node ${process.version}, ${CONNECTIONS} connections`);
  console.log(`  add ${bulkAdded.toLocaleString('en')} domains in batches of ${BATCH.toLocaleString('en')} while the worker reconciles: ${bulkSeconds.toFixed(1)} s, ${(bulkAdded / bulkSeconds).toFixed(0)} domains/s, batch p50 ${bulk.latency.p50} ms, p99 ${bulk.latency.p99} ms${failures(bulk)}; ${readyAtEnd.toLocaleString('en')} live when the last batch was answered, all live after ${caughtUp.toFixed(1)} s`);
  console.log(`  create ${domains['2xx'].toLocaleString('en')} domains one request each: ${domains.duration.toFixed(1)} s, ${rate(domains)}/s, p50 ${domains.latency.p50} ms, p99 ${domains.latency.p99} ms${failures(domains)}`);
  console.log(`  create ${records['2xx'].toLocaleString('en')} records: ${records.duration.toFixed(1)} s, ${rate(records)}/s, p50 ${records.latency.p50} ms, p99 ${records.latency.p99} ms${failures(records)}`);
  console.log(`  walk all ${listed.toLocaleString('en')} domains, 100 per page: ${walkSeconds.toFixed(2)} s, page p50 ${pct(walk, 50)} ms, p99 ${pct(walk, 99)} ms`);
  console.log(`  random domain list pages (50) under load: ${lists.requests.average.toFixed(0)}/s, p50 ${lists.latency.p50} ms, p99 ${lists.latency.p99} ms${failures(lists)}`);
  console.log(`  random zone record lists under load: ${randomPages.requests.average.toFixed(0)}/s, p50 ${randomPages.latency.p50} ms, p99 ${randomPages.latency.p99} ms${failures(randomPages)}`);
} finally {
  await db?.end().catch(() => undefined);
  await ruche.stop();
}
