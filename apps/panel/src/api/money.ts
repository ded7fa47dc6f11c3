/**
 * The API answers money as decimal text ("247.20", "-15.00"): read into integer cents, never
 * through a float, so a sum or a comparison is exact. Anything else is 0 (the API sends no such).
 */
export function decimalToCents(text: string | null | undefined): number {
  const match = /^(-)?(\d+)(?:\.(\d{1,4}))?$/.exec((text ?? '').trim());
  if (!match) return 0;
  const [, minus, whole, fraction = ''] = match;
  // Two places are money's; a third or fourth (a unit price) rounds half up, as the API does.
  const padded = fraction.padEnd(4, '0');
  const cents = Number(whole) * 100 + Number(padded.slice(0, 2)) + (Number(padded.slice(2)) >= 50 ? 1 : 0);
  return minus ? -cents : cents;
}

/** Hours as decimal text ("7.50") into minutes. */
export function hoursToMinutes(text: string | null | undefined): number {
  return Math.round(decimalToCents(text) * 0.6);
}

/** How many digits the API takes before and after the decimal point: its decimal (unit prices, quantities) and its money (amounts). */
export interface NumberShape {
  whole: number;
  places: number;
}
export const DECIMAL: NumberShape = { whole: 10, places: 4 };
export const MONEY: NumberShape = { whole: 12, places: 2 };
const PERCENT: NumberShape = { whole: 2, places: 4 };

/**
 * A number as a person types it ("12,50" in French, "12.50" in English, "1 200,00" with spaces
 * between thousands) into the API's decimal text, or undefined when it is not one the API would
 * take (a letter, a sign, a second mark, too many digits): the panel refuses it in its own words.
 */
export function typedDecimal(text: string, shape: NumberShape = DECIMAL): string | undefined {
  const match = /^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const whole = match[1]!.replace(/\D/g, '');
  const fraction = match[2];
  if (whole.length > shape.whole || (fraction !== undefined && fraction.length > shape.places)) return undefined;
  return fraction === undefined ? whole : `${whole}.${fraction}`;
}

/**
 * A rate typed as a percentage ("9,975") into the fraction the API stores ("0.09975"), by moving
 * the point in the text (never through a float); undefined when it is not a percentage below 100
 * with at most four decimals.
 */
export function percentToFraction(text: string): string | undefined {
  const typed = typedDecimal(text.trim().replace(/\s*%$/, ''), PERCENT);
  if (typed === undefined) return undefined;
  const [whole = '', fraction = ''] = typed.split('.');
  const digits = `${whole.padStart(2, '0')}${fraction}`.replace(/0+$/, '');
  return digits ? `0.${digits}` : '0';
}
