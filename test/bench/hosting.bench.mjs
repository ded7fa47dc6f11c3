// Issue 4 benchmark: 10,000 domains with 5 records each, created through the API, then listed.
// `npm run bench -- hosting`
import autocannon from 'autocannon';
import { adminToken, cores, failures, startRuche } from './support.mjs';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 10_000);
const RECORDS_PER_DOMAIN = 5;
const CONNECTIONS = 16;

const ruche = await startRuche();
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
  console.log(`  create ${domains['2xx'].toLocaleString('en')} domains: ${domains.duration.toFixed(1)} s, ${rate(domains)}/s, p50 ${domains.latency.p50} ms, p99 ${domains.latency.p99} ms${failures(domains)}`);
  console.log(`  create ${records['2xx'].toLocaleString('en')} records: ${records.duration.toFixed(1)} s, ${rate(records)}/s, p50 ${records.latency.p50} ms, p99 ${records.latency.p99} ms${failures(records)}`);
  console.log(`  walk all ${listed.toLocaleString('en')} domains, 100 per page: ${walkSeconds.toFixed(2)} s, page p50 ${pct(walk, 50)} ms, p99 ${pct(walk, 99)} ms`);
  console.log(`  random domain list pages (50) under load: ${lists.requests.average.toFixed(0)}/s, p50 ${lists.latency.p50} ms, p99 ${lists.latency.p99} ms${failures(lists)}`);
  console.log(`  random zone record lists under load: ${randomPages.requests.average.toFixed(0)}/s, p50 ${randomPages.latency.p50} ms, p99 ${randomPages.latency.p99} ms${failures(randomPages)}`);
} finally {
  await ruche.stop();
}
