// Issue 10 benchmark: a billing run and its posting for 10,000 organisations with 30 days of usage each.
// `npm run bench -- billing` (BENCH_ORGANIZATIONS changes the count). Target: under 30 s for both.
import pg from 'pg';
import { adminToken, cores, freePort, mb, startRuche } from './support.mjs';

const ORGANIZATIONS = Number(process.env.BENCH_ORGANIZATIONS ?? 10_000);
const PERIOD = '2026-10';
const workerMetricsPort = await freePort();
const ruche = await startRuche({ RUCHE_WORKER_METRICS_PORT: String(workerMetricsPort) });

async function rss(url) {
  try {
    const metrics = await (await fetch(url)).text();
    const match = /^ruche_process_resident_memory_bytes (\d+(\.\d+)?(e\+\d+)?)/m.exec(metrics);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

try {
  const token = await adminToken(ruche.baseUrl, ['billing:read', 'billing:write', 'accounting:read']);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method, path, body) => {
    const response = await fetch(`${ruche.baseUrl}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };

  // Seeding is not measured: organisations on the default plan since January, and 30 days of
  // samples of every meter (a tenth of them above what the plan includes in mailboxes and mail storage).
  const seedStarted = performance.now();
  const db = new pg.Client({ connectionString: ruche.databaseUrl });
  await db.connect();
  await db.query(
    `INSERT INTO organizations (id, name, locale)
     SELECT gen_random_uuid(), 'Bench organisation ' || i, CASE WHEN i % 3 = 0 THEN 'en' ELSE 'fr' END FROM generate_series(1, $1) i`,
    [ORGANIZATIONS],
  );
  await db.query(
    `INSERT INTO subscriptions (id, organization_id, plan_id, starts_on)
     SELECT gen_random_uuid(), o.id, p.id, '2026-01-01' FROM organizations o CROSS JOIN (SELECT id FROM plans WHERE is_default) p
      WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.organization_id = o.id)`,
  );
  // Every organisation has a billing contact: posting queues one mail per invoice.
  await db.query(`INSERT INTO billing_profiles (organization_id, billing_email) SELECT id, 'billing-' || id || '@example.org' FROM organizations ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO usage_samples (organization_id, meter, day, quantity)
     SELECT o.id, m.meter, d::date,
            CASE WHEN m.meter = 'mailboxes' AND o.n % 10 = 0 THEN 55 + (o.n % 7)
                 WHEN m.meter = 'mail_storage_mb' AND o.n % 10 = 0 THEN 52000 + (o.n % 500) * 10
                 ELSE (o.n % 5) + extract(day FROM d)::int END
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM organizations) o
       CROSS JOIN unnest(ARRAY['domains', 'sites', 'mailboxes', 'mail_storage_mb', 'databases', 'database_storage_mb', 'web_storage_mb']) m(meter)
       CROSS JOIN generate_series('2026-10-01'::date, '2026-10-30'::date, '1 day') d`,
  );
  await db.query('ANALYZE');
  const [{ samples }] = (await db.query(`SELECT count(*)::int AS samples FROM usage_samples`)).rows;
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  let peakApi = 0;
  let peakWorker = 0;
  const sampler = setInterval(async () => {
    peakApi = Math.max(peakApi, await rss(`${ruche.baseUrl}/metrics`));
    peakWorker = Math.max(peakWorker, await rss(`http://127.0.0.1:${workerMetricsPort}/metrics`));
  }, 250);

  const waitFor = async (id, done, label) => {
    let lastLine = '';
    for (;;) {
      const run = await api('GET', `/api/v1/billing-runs/${id}`);
      const line = label(run);
      if (line !== lastLine) process.stdout.write(`\r  ${line}      `);
      lastLine = line;
      if (done(run)) {
        process.stdout.write('\n');
        return run;
      }
      if (run.status === 'failed' || run.posting.status === 'failed') throw new Error(`run failed: ${run.lastError}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  console.log(`\nRuche billing benchmark — ${cores} cores, Node ${process.version}, ${ORGANIZATIONS.toLocaleString('en')} organisations, ${samples.toLocaleString('en')} usage samples (seeded in ${seedSeconds.toFixed(1)} s)`);
  const runStarted = performance.now();
  const started = await api('POST', '/api/v1/billing-runs', { period: PERIOD });
  const run = await waitFor(started.id, (r) => r.status === 'completed', (r) => `billing run: ${r.progress.organizationsDone.toLocaleString('en')} / ${r.progress.organizationsTotal.toLocaleString('en')} organisations, ${r.progress.invoicesCreated.toLocaleString('en')} drafts`);
  const runSeconds = (performance.now() - runStarted) / 1000;

  const postStarted = performance.now();
  await api('POST', `/api/v1/billing-runs/${started.id}/post`, {});
  const posted = await waitFor(started.id, (r) => r.posting.status === 'completed', (r) => `posting: ${r.posting.invoicesPosted.toLocaleString('en')} / ${run.progress.invoicesCreated.toLocaleString('en')} invoices`);
  const postSeconds = (performance.now() - postStarted) / 1000;
  clearInterval(sampler);

  const [{ entries, lines, mails }] = (
    await db.query(`SELECT (SELECT count(*) FROM journal_entries)::int AS entries, (SELECT count(*) FROM journal_lines)::int AS lines, (SELECT count(*) FROM outbound_mail)::int AS mails`)
  ).rows;
  const consistencyStarted = performance.now();
  const consistency = await api('GET', '/api/v1/accounting/consistency');
  const consistencySeconds = (performance.now() - consistencyStarted) / 1000;
  await db.end();

  const total = runSeconds + postSeconds;
  console.log(`  billing run ${PERIOD}: ${run.progress.invoicesCreated.toLocaleString('en')} draft invoices in ${runSeconds.toFixed(1)} s (${(run.progress.invoicesCreated / runSeconds).toFixed(0)}/s)`);
  console.log(`  posting: ${posted.posting.invoicesPosted.toLocaleString('en')} invoices numbered, ${entries.toLocaleString('en')} journal entries (${lines.toLocaleString('en')} lines), ${mails.toLocaleString('en')} mails queued in ${postSeconds.toFixed(1)} s (${(posted.posting.invoicesPosted / postSeconds).toFixed(0)}/s)`);
  console.log(`  run + posting: ${total.toFixed(1)} s (target < 30 s)${total < 30 ? '' : '  ← over target'}`);
  console.log(`  peak resident memory: API ${mb(peakApi)} MB, worker ${mb(peakWorker)} MB`);
  console.log(`  consistency check afterwards: ${consistency.ok ? 'ok' : 'FAILED'} in ${consistencySeconds.toFixed(1)} s`);
} finally {
  await ruche.stop();
}
