import { Decimal as DecimalJs } from 'decimal.js';

/** Hours and rates are decimals, never floats; money rounds half up to the cent. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

/** Minutes as hours with two places ("1.25"): what reports and entries show. */
export function hoursText(minutes: number): string {
  return new Decimal(minutes).dividedBy(60).toDecimalPlaces(2).toFixed(2);
}

/** Minutes as hours with four places: what a billable line's quantity holds ("0.1167"). */
export function billedHours(minutes: number): string {
  return new Decimal(minutes).dividedBy(60).toDecimalPlaces(4).toFixed(4);
}

/** Minutes × an hourly rate (dollars), in whole cents, rounded half up once. */
export function amountCents(minutes: number, hourlyRate: string): number {
  return new Decimal(minutes).times(hourlyRate).dividedBy(60).times(100).toDecimalPlaces(0).toNumber();
}

/** Cents × a percentage, in whole cents, rounded half up. */
export function shareCents(cents: number, percent: string): number {
  return new Decimal(cents).times(percent).dividedBy(100).toDecimalPlaces(0).toNumber();
}

/** A rate or percentage as text with two places ("21.50"). */
export function twoPlaces(value: string): string {
  return new Decimal(value).toFixed(2);
}

/** What billing will charge for a line: its quantity (hours, four places) × the rate, rounded half up to the cent. */
export function lineAmountCents(minutes: number, hourlyRate: string): number {
  return new Decimal(billedHours(minutes)).times(hourlyRate).times(100).toDecimalPlaces(0).toNumber();
}
