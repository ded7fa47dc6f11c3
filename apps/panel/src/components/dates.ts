// Calendar days and months as the API writes them ("2026-11-30", "2026-11"), in the browser's time zone.

/** "2026-11" for a date. */
export const monthOf = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;

/** The month before this one: the period a billing run usually bills. */
export function previousMonth(now = new Date()): string {
  return monthOf(new Date(now.getFullYear(), now.getMonth() - 1, 15));
}

/** The twelve months up to and including `last` ("2026-11"), oldest first. */
export function monthsUpTo(last: string, count = 12): string[] {
  const [year, month] = last.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, index) => monthOf(new Date(year, month - 1 - (count - 1 - index), 15)));
}

/** First and last day of a month ("2026-11" → 2026-11-01, 2026-11-30). */
export function monthSpan(period: string): { from: string; to: string } {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const last = new Date(year, month, 0).getDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

/** Today as a calendar day in the browser's time zone ("2026-11-30"). */
export function todayIso(now = new Date()): string {
  return `${monthOf(now)}-${String(now.getDate()).padStart(2, '0')}`;
}

/** Adds days to a calendar day ("2026-11-30" + 1 → "2026-12-01"). */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return todayIso(new Date(year, month - 1, date + days, 12));
}

/** The Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const weekday = (new Date(year, month - 1, date, 12).getDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** This year and the four before it, newest first, as choices for a year field. */
export function recentYears(now = new Date()): Array<{ value: string; label: string }> {
  const current = now.getFullYear();
  return Array.from({ length: 5 }, (_, index) => String(current - index)).map((year) => ({ value: year, label: year }));
}

export type Standing = 'current' | 'upcoming' | 'past';

/** Where each effective-dated row (a tax rate, a price) stands on `today`: the one in force, one to come, or one replaced. */
export function standing<T extends { effectiveFrom: string }>(rows: readonly T[], today: string): Map<T, Standing> {
  const current = rows.filter((row) => row.effectiveFrom <= today).reduce<T | undefined>((latest, row) => (!latest || row.effectiveFrom > latest.effectiveFrom ? row : latest), undefined);
  return new Map(rows.map((row) => [row, row === current ? 'current' : row.effectiveFrom > today ? 'upcoming' : 'past']));
}
