/** The co-op's rates as spans, to join entries by day: each row in force until the next one starts. */
export const COOP_RATES = `SELECT effective_from, hourly_rate, lead(effective_from) OVER (ORDER BY effective_from) AS until FROM hourly_rates WHERE contract_id IS NULL`;

/** Joins `coop_rates r` (a CTE of COOP_RATES) to entries `e`. */
export const RATE_JOIN = `LEFT JOIN coop_rates r ON e.work_date >= r.effective_from AND (r.until IS NULL OR e.work_date < r.until)`;

/**
 * How an entry `e` (with its contract `c`) is paid: volunteer time never; a freelancer's time on
 * a contract they brought is paid by their part of the contract (the co-op keeps its share), not
 * by wages; open time waits for approval; the rest is wages at the co-op rate.
 */
export const PAY_KIND = `CASE WHEN e.volunteer THEN 'volunteer' WHEN c.brought_by_id = e.worker_id THEN 'share' WHEN e.status = 'open' THEN 'pending' ELSE 'wage' END`;
