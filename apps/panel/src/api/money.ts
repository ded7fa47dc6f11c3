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

/** A number as a person types it ("12,50" in French, "12.50" in English) into the API's decimal text. */
export function typedDecimal(text: string): string {
  return text.trim().replace(/\s/g, '').replace(',', '.');
}

/**
 * A rate typed as a percentage ("9,975") into the fraction the API stores ("0.09975"), by moving
 * the point in the text (never through a float). Anything else is passed on as typed, for the
 * API to refuse in the user's language.
 */
export function percentToFraction(text: string): string {
  const typed = typedDecimal(text).replace(/%$/, '');
  const match = /^(\d{1,2})(?:\.(\d{0,4}))?$/.exec(typed);
  if (!match) return typed;
  const [, whole = '', fraction = ''] = match;
  const digits = `${whole.padStart(2, '0')}${fraction}`.replace(/0+$/, '');
  return digits ? `0.${digits}` : '0';
}
