import { describe, expect, it } from 'vitest';
import { capLevel, planBillingLines, type BillableEntry } from './billing-plan.js';

const entry = (id: string, workDate: string, minutes: number, taskId: string | null = 'design', hourlyRate: string | null = '60.00'): BillableEntry => ({ id, taskId, workDate, minutes, hourlyRate });

describe('billing lines from approved entries', () => {
  it('groups per month, task and rate, oldest first', () => {
    const plan = planBillingLines(
      [entry('e3', '2025-04-02', 60), entry('e1', '2025-03-10', 90), entry('e2', '2025-03-20', 30), entry('e4', '2025-03-11', 45, 'hosting'), entry('e5', '2025-03-12', 15, null), entry('e6', '2025-03-25', 60, 'design', '65.00')],
      null,
    );
    expect(plan.lines.map((l) => [l.month, l.taskId, l.hourlyRate, l.minutes, l.billedMinutes, l.firstDate, l.lastDate, l.entryIds])).toEqual([
      ['2025-03', null, '60.00', 15, 15, '2025-03-12', '2025-03-12', ['e5']],
      ['2025-03', 'design', '60.00', 120, 120, '2025-03-10', '2025-03-20', ['e1', 'e2']],
      ['2025-03', 'design', '65.00', 60, 60, '2025-03-25', '2025-03-25', ['e6']],
      ['2025-03', 'hosting', '60.00', 45, 45, '2025-03-11', '2025-03-11', ['e4']],
      ['2025-04', 'design', '60.00', 60, 60, '2025-04-02', '2025-04-02', ['e3']],
    ]);
    expect([plan.overCap, plan.unrated]).toEqual([[], []]);
  });

  it('bills nothing past the cap: the oldest work first, the entry that crosses it in part', () => {
    const plan = planBillingLines([entry('c', '2025-03-03', 60), entry('a', '2025-03-01', 60), entry('b', '2025-03-02', 60), entry('d', '2025-03-04', 30)], 150);
    expect(plan.lines.map((l) => [l.minutes, l.billedMinutes, l.entryIds])).toEqual([[180, 150, ['a', 'b', 'c']]]);
    expect(plan.overCap).toEqual(['d']);
    expect(planBillingLines([entry('a', '2025-03-01', 60)], 0)).toMatchObject({ lines: [], overCap: ['a'] });
  });

  it('bills what a cap cut off first, once a raised cap leaves room', () => {
    const cut = [{ lineId: 'l2', serviceDate: '2025-03-20', cutMinutes: 60 }, { lineId: 'l1', serviceDate: '2025-03-10', cutMinutes: 30 }];
    const plan = planBillingLines([entry('n', '2025-04-01', 60)], 120, cut);
    expect(plan.supplements).toEqual([{ lineId: 'l1', billedMinutes: 30 }, { lineId: 'l2', billedMinutes: 60 }]);
    expect(plan.lines.map((l) => [l.entryIds, l.billedMinutes])).toEqual([[['n'], 30]]);
    expect(planBillingLines([], 20, cut).supplements).toEqual([{ lineId: 'l1', billedMinutes: 20 }]);
  });

  it('leaves an entry without a contract rate waiting', () => {
    expect(planBillingLines([entry('a', '2025-03-01', 60, 'design', null)], null)).toMatchObject({ lines: [], unrated: ['a'] });
  });

  it('warns from 80 % of the cap', () => {
    expect(capLevel(479, 600)).toEqual({ percent: 79.8, level: 'ok' });
    expect(capLevel(480, 600)).toEqual({ percent: 80, level: 'near' });
    expect(capLevel(600, 600)).toEqual({ percent: 100, level: 'reached' });
    expect(capLevel(700, 600).level).toBe('reached');
  });
});
