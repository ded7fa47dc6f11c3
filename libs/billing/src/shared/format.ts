import type { Locale } from '@ruche/core';
import { Decimal, type DecimalValue } from './decimal.js';

/** Money as people read it: "1 234,56 $" in French, "$1,234.56" in English (plain spaces: every PDF font has them). */
export function formatMoney(cents: number, locale: Locale): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'fr' ? ' ' : ',');
  const fraction = String(abs % 100).padStart(2, '0');
  const text = locale === 'fr' ? `${whole},${fraction} $` : `$${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

/** A decimal with `places` places in the locale's notation ("0,3226" / "0.3226"), trailing zeros beyond `min` dropped. */
export function formatDecimal(value: DecimalValue, locale: Locale, min = 0, max = 4): string {
  let text = new Decimal(value).toFixed(max);
  while (text.includes('.') && text.split('.')[1]!.length > min && text.endsWith('0')) text = text.slice(0, -1);
  if (text.endsWith('.')) text = text.slice(0, -1);
  return locale === 'fr' ? text.replace('.', ',') : text;
}

/** A rate as a percentage: 0.09975 → "9.975" (fr "9,975"). */
export function formatRate(rate: DecimalValue, locale: Locale): string {
  return formatDecimal(new Decimal(rate).times(100), locale, 0, 4);
}

/** A unit price: as money when it is whole cents, else with its extra places ("0,001 $" for storage by the MB). */
export function formatUnitPrice(price: DecimalValue, locale: Locale): string {
  const cents = new Decimal(price).times(100);
  if (cents.isInteger()) return formatMoney(cents.toNumber(), locale);
  const text = formatDecimal(price, locale, 2, 4);
  return locale === 'fr' ? `${text} $` : `$${text}`;
}
