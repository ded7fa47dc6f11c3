import { describe, expect, it } from 'vitest';
import { eligibilityOf, eligibilityWindow, type EligibilityException } from './eligibility.js';

const window = eligibilityWindow('2025-03-04');
const good = { committeeIds: ['production', 'sysadmin'], reflectionMeetings: 2, workMinutes: [600, 600] as const };

describe('work-committee eligibility', () => {
  it('looks at the two calendar months before the meeting’s month', () => {
    expect(window).toEqual({ from: '2025-01-01', to: '2025-02-28', months: ['2025-01', '2025-02'] });
    expect(eligibilityWindow('2024-01-02')).toEqual({ from: '2023-11-01', to: '2023-12-31', months: ['2023-11', '2023-12'] });
    expect(eligibilityWindow('2024-03-31').to).toBe('2024-02-29');
  });

  it('holds at each criterion’s edge', () => {
    const at = eligibilityOf(good, window);
    expect([at.eligible, at.atRisk, at.totalWorkHours]).toEqual([true, false, '20.00']);
    expect(at.monthlyHours.figure).toEqual([
      { month: '2025-01', hours: '10.00', met: true },
      { month: '2025-02', hours: '10.00', met: true },
    ]);
  });

  it('fails one criterion at a time just below its edge', () => {
    const oneCommittee = eligibilityOf({ ...good, committeeIds: ['production'] }, window);
    expect([oneCommittee.eligible, oneCommittee.committees.met, oneCommittee.committees.figure]).toEqual([false, false, 1]);
    const oneReflection = eligibilityOf({ ...good, reflectionMeetings: 1 }, window);
    expect([oneReflection.eligible, oneReflection.reflectionMeetings.met]).toEqual([false, false]);
    // 9.9 h is 594 minutes.
    const short = eligibilityOf({ ...good, workMinutes: [594, 700] }, window);
    expect([short.eligible, short.monthlyHours.met, short.monthlyHours.figure[0]!.hours, short.atRisk]).toEqual([false, false, '9.90', false]);
  });

  it('warns under 20 hours over the two months', () => {
    const low = eligibilityOf({ ...good, workMinutes: [600, 594] }, window);
    expect([low.atRisk, low.totalWorkHours, low.eligible]).toEqual([true, '19.90', false]);
    // 20 hours in all but 9 in one month: not at risk, yet not eligible.
    const uneven = eligibilityOf({ ...good, workMinutes: [540, 660] }, window);
    expect([uneven.atRisk, uneven.eligible]).toEqual([false, false]);
  });

  it('honours an exception overlapping the window, for the criteria it names only', () => {
    const absence: EligibilityException = { id: 'x', from: '2025-02-01', to: '2025-02-28', criteria: ['monthly_hours', 'reflection_meetings'], reason: 'Congé parental', grantedBy: 'Comité de travail', decidedOn: '2025-01-07' };
    const excused = eligibilityOf({ ...good, reflectionMeetings: 1, workMinutes: [600, 120] }, window, [absence]);
    expect([excused.eligible, excused.atRisk, excused.monthlyHours.met, excused.monthlyHours.waived, excused.reflectionMeetings.waived]).toEqual([true, false, false, true, true]);
    expect(excused.exceptions).toEqual([absence]);
    // It does not waive what it does not name.
    expect(eligibilityOf({ ...good, committeeIds: [] }, window, [absence]).eligible).toBe(false);
    // Nor apply outside its span.
    const earlier = { ...absence, from: '2024-11-01', to: '2024-12-31' };
    const notExcused = eligibilityOf({ ...good, workMinutes: [600, 120] }, window, [earlier]);
    expect([notExcused.eligible, notExcused.monthlyHours.waived, notExcused.exceptions]).toEqual([false, false, []]);
  });
});
