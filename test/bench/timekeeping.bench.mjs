// Issue 11 benchmark: the work-committee eligibility and pay reports over 50 workers × 5 years
// of time entries. `npm run bench -- timekeeping` (BENCH_WORKERS, BENCH_YEARS change the size).
// Target: under 1 s each.
import pg from 'pg';
import { adminToken, cores, startRuche } from './support.mjs';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 50);
const YEARS = Number(process.env.BENCH_YEARS ?? 5);
const RUNS = 7;
// Five whole years, ending with the last month; the reports are asked as of the next month's meeting.
const END = '2026-10-31';
const START = `${2026 - YEARS}-11-01`;
const ruche = await startRuche();

try {
  const token = await adminToken(ruche.baseUrl, ['timekeeping:read']);
  const get = async (path) => {
    const started = performance.now();
    const response = await fetch(`${ruche.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    const body = await response.json();
    return { ms: performance.now() - started, body };
  };

  // Seeding is not measured: workers (accounts with the worker role), one internal project and two
  // client contracts, and for every worker on every weekday two entries of work (one billable
  // every other day), a committee meeting each Tuesday (committees in turn), the reflection
  // meeting on each month's first Tuesday, some volunteer time; nine in ten approved.
  const seedStarted = performance.now();
  const db = new pg.Client({ connectionString: ruche.databaseUrl });
  // The launcher stops PostgreSQL when Ruche stops: that ends this connection too.
  db.on('error', () => {});
  await db.connect();
  await db.query(
    `INSERT INTO users (id, email, display_name, locale, staff_roles)
     SELECT uuidv7(), 'worker-' || n || '@bench.example', 'Worker ' || n, CASE WHEN n % 3 = 0 THEN 'en' ELSE 'fr' END, ARRAY['worker'] FROM generate_series(1, $1) n`,
    [WORKERS],
  );
  await db.query(`INSERT INTO workers (id, status) SELECT id, CASE WHEN row_number() OVER (ORDER BY id) % 10 = 0 THEN 'work_committee' ELSE 'member' END FROM users WHERE email LIKE 'worker-%@bench.example'`);
  await db.query(`INSERT INTO organizations (id, name, locale) VALUES (uuidv7(), 'Client du banc d’essai', 'fr')`);
  await db.query(
    `INSERT INTO contracts (id, name, kind, organization_id, starts_on)
     SELECT uuidv7(), name, kind, CASE WHEN kind = 'internal' THEN NULL ELSE (SELECT id FROM organizations WHERE name = 'Client du banc d’essai') END, '2006-01-01'
       FROM (VALUES ('Vie de la coop', 'internal'), ('Hébergement', 'hourly'), ('Refonte', 'hourly')) AS c(name, kind)`,
  );
  await db.query(`INSERT INTO hourly_rates (id, contract_id, effective_from, hourly_rate) SELECT uuidv7(), id, '2006-01-01', 60 FROM contracts WHERE kind = 'hourly'`);
  // A raise halfway through, so pay crosses a rate change.
  await db.query(`INSERT INTO hourly_rates (id, contract_id, effective_from, hourly_rate) VALUES (uuidv7(), NULL, $1, 24.00)`, [`${2026 - Math.ceil(YEARS / 2)}-01-01`]);
  const days = `SELECT d::date AS day, extract(isodow FROM d)::int AS dow, row_number() OVER (ORDER BY d) AS n FROM generate_series($1::date, $2::date, '1 day') d`;
  const workers = `SELECT id, row_number() OVER (ORDER BY id) AS w FROM workers`;
  const approved = `CASE WHEN random() < 0.9 THEN 'approved' ELSE 'open' END`;
  await db.query(
    `WITH days AS (${days}), ws AS (${workers}), contracts AS (SELECT array_agg(id ORDER BY kind, name) AS ids FROM contracts), e AS (
       SELECT ws.id AS worker_id, days.day, days.n AS n_day, half, (days.n + ws.w + half) % 3 AS pick, 60 + ((days.n * 7 + ws.w * 13 + half * 29) % 13) * 15 AS minutes, random() < 0.03 AS volunteer
         FROM days CROSS JOIN ws CROSS JOIN generate_series(0, 1) half WHERE days.dow <= 5)
     INSERT INTO time_entries (id, worker_id, work_date, recorded_minutes, minutes, rounding, contract_id, category, billable, volunteer, status, approved_at)
     SELECT uuidv7(), worker_id, day, minutes - 5, minutes, 'up:15', (SELECT ids FROM contracts)[pick + 1], CASE WHEN pick = 2 AND half = 1 THEN 'training' ELSE 'work' END,
            pick < 2 AND NOT volunteer AND n_day % 2 = 0, volunteer AND pick = 2, s.status, CASE WHEN s.status = 'approved' THEN now() END
       FROM e CROSS JOIN LATERAL (SELECT ${approved} AS status) s`,
    [START, END],
  );
  await db.query(
    `WITH days AS (${days}), ws AS (${workers}), committees AS (SELECT array_agg(id ORDER BY code) AS ids, count(*)::int AS n FROM committees)
     INSERT INTO time_entries (id, worker_id, work_date, recorded_minutes, minutes, rounding, category, committee_id, status, approved_at)
     SELECT uuidv7(), ws.id, days.day, 60, 60, 'up:15', 'committee_meeting', (SELECT ids FROM committees)[1 + (days.n / 7 + ws.w) % (SELECT n FROM committees)], 'approved', now()
       FROM days CROSS JOIN ws WHERE days.dow = 2 AND (days.n + ws.w) % 5 <> 0`,
    [START, END],
  );
  await db.query(
    `WITH days AS (${days}), ws AS (${workers})
     INSERT INTO time_entries (id, worker_id, work_date, recorded_minutes, minutes, rounding, category, status, approved_at)
     SELECT uuidv7(), ws.id, days.day, 120, 120, 'up:15', 'reflection_meeting', 'approved', now()
       FROM days CROSS JOIN ws WHERE days.dow = 2 AND extract(day FROM days.day) <= 7 AND (days.n + ws.w) % 7 <> 0`,
    [START, END],
  );
  await db.query('ANALYZE');
  const [{ entries }] = (await db.query(`SELECT count(*)::int AS entries FROM time_entries`)).rows;
  await db.end();
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  /** Asks `path` RUNS times after one warm-up; answers the best, median and worst times and the last body. */
  const measure = async (path) => {
    await get(path);
    const times = [];
    let body;
    for (let i = 0; i < RUNS; i++) {
      const result = await get(path);
      times.push(result.ms);
      body = result.body;
    }
    times.sort((a, b) => a - b);
    return { best: times[0], median: times[Math.floor(times.length / 2)], worst: times[times.length - 1], body };
  };
  const line = (label, result, detail) => {
    const verdict = result.worst < 1000 ? '' : '  ← over target';
    console.log(`  ${label.padEnd(44)} median ${result.median.toFixed(0).padStart(4)} ms (best ${result.best.toFixed(0)}, worst ${result.worst.toFixed(0)})  ${detail}${verdict}`);
  };

  console.log(`\nRuche timekeeping benchmark — ${cores} cores, Node ${process.version}, ${WORKERS} workers × ${YEARS} years: ${entries.toLocaleString('en')} time entries ${START} – ${END} (seeded in ${seedSeconds.toFixed(1)} s); ${RUNS} asks each over HTTP after a warm-up, target < 1 s`);
  const eligibility = await measure('/api/v1/reports/eligibility?date=2026-11-03');
  line('eligibility at the 2026-11-03 meeting', eligibility, `${eligibility.body.workers.length} workers, ${eligibility.body.workers.filter((w) => w.eligible).length} eligible, ${eligibility.body.atRisk.length} at risk`);
  for (const [label, from, to] of [
    ['pay, one month', '2026-10-01', END],
    ['pay, one year', '2025-11-01', END],
    [`pay, all ${YEARS} years`, START, END],
  ]) {
    const pay = await measure(`/api/v1/reports/pay?from=${from}&to=${to}`);
    line(label, pay, `${pay.body.workers.length} workers, ${pay.body.total.hours} h, ${pay.body.total.amount} $`);
  }
  // Every monthly meeting of the last year, one after another (what a year of reflection meetings asks).
  const started = performance.now();
  for (let month = 0; month < 12; month++) {
    const date = new Date(Date.UTC(2025, 11 + month, 1));
    while (date.getUTCDay() !== 2) date.setUTCDate(date.getUTCDate() + 1);
    await get(`/api/v1/reports/eligibility?date=${date.toISOString().slice(0, 10)}`);
  }
  console.log(`  eligibility at each of 12 monthly meetings: ${((performance.now() - started) / 12).toFixed(0)} ms each on average`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await ruche.stop();
}
