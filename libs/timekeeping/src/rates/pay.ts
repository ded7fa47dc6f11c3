import { amountCents, hoursText } from '../shared/decimal.js';

/** An effective-dated hourly rate: in force from its day until the next row's. */
export interface RateRow {
  effectiveFrom: string;
  hourlyRate: string;
}

/** The rate in force on a day: the latest row starting on or before it (null before the first). */
export function rateOn<R extends RateRow>(rates: readonly R[], date: string): R | null {
  let found: R | null = null;
  for (const rate of rates) if (rate.effectiveFrom <= date && (!found || rate.effectiveFrom > found.effectiveFrom)) found = rate;
  return found;
}

/** Minutes worked under one rate. */
export interface PaySegment {
  effectiveFrom: string;
  hourlyRate: string;
  minutes: number;
}

export interface Pay {
  segments: Array<PaySegment & { hours: string; amountCents: number }>;
  minutes: number;
  hours: string;
  amountCents: number;
}

/** Entries' minutes gathered by the rate in force on each entry's day; days before any rate are left out (`unrated`). */
export function segmentsOf(entries: ReadonlyArray<{ workDate: string; minutes: number }>, rates: readonly RateRow[]): { segments: PaySegment[]; unratedMinutes: number } {
  const byRate = new Map<string, PaySegment>();
  let unratedMinutes = 0;
  for (const entry of entries) {
    const rate = rateOn(rates, entry.workDate);
    if (!rate) {
      unratedMinutes += entry.minutes;
      continue;
    }
    const segment = byRate.get(rate.effectiveFrom) ?? { effectiveFrom: rate.effectiveFrom, hourlyRate: rate.hourlyRate, minutes: 0 };
    segment.minutes += entry.minutes;
    byRate.set(rate.effectiveFrom, segment);
  }
  return { segments: [...byRate.values()].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)), unratedMinutes };
}

/**
 * Pay: each rate's hours × that rate, rounded half up to the cent once per rate, then summed
 * (so every figure on the report can be checked by hand: hours × rate = amount).
 */
export function payOf(segments: readonly PaySegment[]): Pay {
  const priced = [...segments]
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
    .map((segment) => ({ ...segment, hours: hoursText(segment.minutes), amountCents: amountCents(segment.minutes, segment.hourlyRate) }));
  const minutes = priced.reduce((sum, segment) => sum + segment.minutes, 0);
  return { segments: priced, minutes, hours: hoursText(minutes), amountCents: priced.reduce((sum, segment) => sum + segment.amountCents, 0) };
}
