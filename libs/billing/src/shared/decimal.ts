import { Decimal as DecimalJs } from 'decimal.js';

/**
 * Quantities, unit prices and rates are decimals, never floats: decimal.js (arbitrary
 * precision, immutable, no dependencies) with half-up rounding, the rule for money here.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalValue = DecimalJs.Value;

/** Dollars (a decimal) to whole cents, rounded half up: 8.065 → 807. */
export function dollarsToCents(dollars: DecimalValue): number {
  return new Decimal(dollars).times(100).toDecimalPlaces(0, DecimalJs.ROUND_HALF_UP).toNumber();
}

/** A line's amount: quantity × unit price, rounded half up to the cent. */
export function lineAmountCents(quantity: DecimalValue, unitPrice: DecimalValue): number {
  return dollarsToCents(new Decimal(quantity).times(unitPrice));
}

/** Whole cents as dollars with two places, for unit prices built from cents. */
export function centsToDollars(cents: number): string {
  return new Decimal(cents).dividedBy(100).toFixed(2);
}

/** A decimal as PostgreSQL numeric text with `places` places (half up). */
export function fixed(value: DecimalValue, places: number): string {
  return new Decimal(value).toDecimalPlaces(places, DecimalJs.ROUND_HALF_UP).toFixed(places);
}

/** Drops trailing zeros for display ("2.5000" → "2.5", "3.0000" → "3"). */
export function trimmed(value: DecimalValue): string {
  return new Decimal(value).toString();
}
