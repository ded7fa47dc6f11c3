import { addMonths, firstDayOf, lastDayOf, monthOf } from '../shared/dates.js';
import { hoursText } from '../shared/decimal.js';

/** The co-op's rules (mission.md): judged at each monthly reflection meeting over the two months before. */
export const ELIGIBILITY_RULES = {
  committeesRequired: 2,
  reflectionMeetingsRequired: 2,
  /** Non-meeting work in each of the two months. */
  monthlyMinutesRequired: 10 * 60,
  /** Under this over the two months, a member is warned and loses the status unless it is corrected. */
  atRiskBelowMinutes: 20 * 60,
} as const;

export const CRITERIA = ['committees', 'reflection_meetings', 'monthly_hours'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** The two calendar months before the month of `date`. */
export function eligibilityWindow(date: string): { from: string; to: string; months: [string, string] } {
  const first = addMonths(monthOf(date), -2);
  const second = addMonths(monthOf(date), -1);
  return { from: firstDayOf(first), to: lastDayOf(second), months: [first, second] };
}

/** What a worker did in the window, as the report reads it from their entries. */
export interface EligibilityFacts {
  /** Distinct committees whose meetings they attended. */
  committeeIds: readonly string[];
  /** Distinct days they attended a reflection meeting. */
  reflectionMeetings: number;
  /** Non-meeting minutes in each of the two months, in order. */
  workMinutes: readonly [number, number];
}

/** An exception the work committee granted (a justified absence), waiving criteria over a span of days. */
export interface EligibilityException {
  id: string;
  from: string;
  to: string;
  criteria: readonly Criterion[];
  reason: string;
  grantedBy: string;
  decidedOn: string;
}

export interface CriterionResult<F> {
  figure: F;
  required: number;
  met: boolean;
  /** Not met, but an exception waives it. */
  waived: boolean;
}

export interface Eligibility {
  committees: CriterionResult<number> & { committeeIds: string[] };
  reflectionMeetings: CriterionResult<number>;
  monthlyHours: CriterionResult<Array<{ month: string; hours: string; met: boolean }>> & { requiredHours: string };
  totalWorkHours: string;
  eligible: boolean;
  /** Under 20 hours of work over the two months (and no exception for hours): warned. */
  atRisk: boolean;
  exceptions: EligibilityException[];
}

/** The decision for one worker: each criterion with its figure, waived by any exception overlapping the window. */
export function eligibilityOf(facts: EligibilityFacts, window: { from: string; to: string; months: readonly [string, string] }, exceptions: readonly EligibilityException[] = []): Eligibility {
  const applying = exceptions.filter((exception) => exception.from <= window.to && exception.to >= window.from);
  const waives = (criterion: Criterion) => applying.some((exception) => exception.criteria.includes(criterion));
  const result = <F>(figure: F, required: number, met: boolean, criterion: Criterion): CriterionResult<F> => ({ figure, required, met, waived: !met && waives(criterion) });

  const committees = { ...result(facts.committeeIds.length, ELIGIBILITY_RULES.committeesRequired, facts.committeeIds.length >= ELIGIBILITY_RULES.committeesRequired, 'committees'), committeeIds: [...facts.committeeIds].sort() };
  const reflectionMeetings = result(facts.reflectionMeetings, ELIGIBILITY_RULES.reflectionMeetingsRequired, facts.reflectionMeetings >= ELIGIBILITY_RULES.reflectionMeetingsRequired, 'reflection_meetings');
  const months = window.months.map((month, i) => ({ month, hours: hoursText(facts.workMinutes[i]!), met: facts.workMinutes[i]! >= ELIGIBILITY_RULES.monthlyMinutesRequired }));
  const monthlyHours = { ...result(months, ELIGIBILITY_RULES.monthlyMinutesRequired / 60, months.every((month) => month.met), 'monthly_hours'), requiredHours: hoursText(ELIGIBILITY_RULES.monthlyMinutesRequired) };
  const totalMinutes = facts.workMinutes[0] + facts.workMinutes[1];
  const ok = (criterion: CriterionResult<unknown>) => criterion.met || criterion.waived;
  return {
    committees,
    reflectionMeetings,
    monthlyHours,
    totalWorkHours: hoursText(totalMinutes),
    eligible: ok(committees) && ok(reflectionMeetings) && ok(monthlyHours),
    atRisk: totalMinutes < ELIGIBILITY_RULES.atRiskBelowMinutes && !waives('monthly_hours'),
    exceptions: applying,
  };
}
