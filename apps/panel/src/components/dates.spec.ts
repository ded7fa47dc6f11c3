import { describe, expect, it } from 'vitest';
import { addDays, mondayOf, monthSpan, monthsUpTo, previousMonth, standing, todayIso } from './dates';

describe('calendar helpers', () => {
  it('span months and weeks', () => {
    expect(monthSpan('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthSpan('2028-02').to).toBe('2028-02-29');
    expect(monthsUpTo('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(previousMonth(new Date(2026, 0, 10))).toBe('2025-12');
    expect(todayIso(new Date(2026, 10, 3, 9))).toBe('2026-11-03');
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
  });

  it('tell which effective-dated row is in force, which is to come and which was replaced', () => {
    const rows = [{ effectiveFrom: '2013-01-01' }, { effectiveFrom: '2027-01-01' }, { effectiveFrom: '2008-01-01' }];
    const on = standing(rows, '2026-11-30');
    expect(rows.map((row) => on.get(row))).toEqual(['current', 'upcoming', 'past']);
    expect(standing(rows, '2027-01-01').get(rows[1]!)).toBe('current');
    expect([...standing([{ effectiveFrom: '2030-01-01' }], '2026-11-30').values()]).toEqual(['upcoming']);
  });
});
