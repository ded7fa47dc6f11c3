/** Month arithmetic on ISO dates (YYYY-MM-DD), in UTC, without time zones getting in the way. */
export function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
}

/** "2026-11" → "2026-11-01"; null when it is not a month. */
export function parseMonth(value: string): string | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value);
  return match ? `${match[1]}-${match[2]}-01` : null;
}
