/** Date arithmetic on ISO days (YYYY-MM-DD), in UTC. */
const DAY_MS = 86_400_000;
const toTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (time: number) => new Date(time).toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  return toDay(toTime(day) + days * DAY_MS);
}

/** Days from `from` to `to` (exclusive). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toTime(to) - toTime(from)) / DAY_MS);
}

export interface BillingPeriod {
  /** `2026-11` */
  period: string;
  /** First day, inclusive. */
  start: string;
  /** First day of the next period, exclusive. */
  end: string;
}

/**
 * The billing period named `YYYY-MM`: from the anchor day of that month to the anchor day of
 * the next (anchor 1: the calendar month). Null when the name is not a month.
 */
export function billingPeriod(period: string, anchorDay: number): BillingPeriod | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = String(anchorDay).padStart(2, '0');
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return { period, start: `${period}-${day}`, end: `${next}-${day}` };
}
