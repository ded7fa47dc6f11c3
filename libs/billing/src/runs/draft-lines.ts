import type { Meter, PeriodUsage, PlanSpan } from '@ruche/hosting';
import type { Locale } from '@ruche/core';
import { Decimal, centsToDollars, fixed, lineAmountCents, type DecimalValue } from '../shared/decimal.js';
import type { TaxCode } from '../taxes/taxes.js';
import { addDays, daysBetween, type BillingPeriod } from './periods.js';

export const LINE_KINDS = ['plan', 'metered', 'one_off', 'external', 'manual'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** A line as billing writes it: decimal strings for quantity and unit price, cents for the amount. */
export interface DraftLine {
  kind: LineKind;
  description: string;
  quantity: string;
  unitPrice: string;
  amountCents: number;
  taxCode: TaxCode;
  accountCode: string;
  periodStart: string | null;
  periodEnd: string | null;
  itemCode: string | null;
  sourceKind: string | null;
  sourceId: string | null;
}

export interface MeteredPrice {
  itemCode: string;
  nameFr: string;
  nameEn: string;
  unitPrice: string;
  taxCode: TaxCode;
  accountCode: string;
}

export interface PendingLine {
  id: string;
  sourceKind: string;
  sourceId: string;
  descriptionFr: string;
  descriptionEn: string;
  quantity: string;
  unitPrice: string;
  taxCode: TaxCode;
  accountCode: string;
  serviceDate: string;
}

const TEXT = {
  fr: {
    plan: (name: string, from: string, to: string, days: number, total: number) => `${name} — du ${from} au ${to} (${days}/${total} jours)`,
    metered: (name: string, from: string, to: string) => `${name} — pointe au-delà du forfait, du ${from} au ${to}`,
  },
  en: {
    plan: (name: string, from: string, to: string, days: number, total: number) => `${name} — ${from} to ${to} (${days}/${total} days)`,
    metered: (name: string, from: string, to: string) => `${name} — peak above the plan, ${from} to ${to}`,
  },
} as const;

/** Rounded to four places, as stored; the amount is computed from what is shown, so quantity × price = amount on the page. */
const quantityOf = (value: DecimalValue) => fixed(value, 4);

/**
 * An organisation's draft lines for a period: its plans prorated by day (a change mid-period
 * gives one line per plan and price), metered extras at the period's peak above what the plan
 * includes, then lines submitted from elsewhere (timekeeping…), in that order.
 */
export function draftLines(input: {
  period: BillingPeriod;
  locale: Locale;
  spans: PlanSpan[];
  usage: PeriodUsage[];
  meterPrices: ReadonlyMap<Meter, MeteredPrice>;
  pending: PendingLine[];
  hostingAccount: string;
}): DraftLine[] {
  const { period, locale } = input;
  const text = TEXT[locale];
  const periodDays = daysBetween(period.start, period.end);
  const lastDay = addDays(period.end, -1);
  const lines: DraftLine[] = [];
  for (const span of input.spans) {
    const days = daysBetween(span.from, span.to);
    const quantity = quantityOf(new Decimal(days).dividedBy(periodDays));
    const unitPrice = fixed(centsToDollars(span.monthlyPriceCents), 4);
    lines.push({
      kind: 'plan',
      description: text.plan(locale === 'fr' ? span.nameFr : span.nameEn, span.from, addDays(span.to, -1), days, periodDays),
      quantity,
      unitPrice,
      amountCents: lineAmountCents(quantity, unitPrice),
      taxCode: 'taxable',
      accountCode: input.hostingAccount,
      periodStart: span.from,
      periodEnd: addDays(span.to, -1),
      itemCode: `plan:${span.planCode}`,
      sourceKind: null,
      sourceId: null,
    });
  }
  for (const usage of input.usage) {
    const price = input.meterPrices.get(usage.meter);
    if (!price || usage.peakAboveIncluded <= 0) continue;
    const quantity = quantityOf(usage.peakAboveIncluded);
    lines.push({
      kind: 'metered',
      description: text.metered(locale === 'fr' ? price.nameFr : price.nameEn, period.start, lastDay),
      quantity,
      unitPrice: fixed(price.unitPrice, 4),
      amountCents: lineAmountCents(quantity, price.unitPrice),
      taxCode: price.taxCode,
      accountCode: price.accountCode,
      periodStart: period.start,
      periodEnd: lastDay,
      itemCode: price.itemCode,
      sourceKind: null,
      sourceId: null,
    });
  }
  for (const line of input.pending) {
    lines.push({
      kind: 'external',
      description: locale === 'fr' ? line.descriptionFr : line.descriptionEn,
      quantity: quantityOf(line.quantity),
      unitPrice: fixed(line.unitPrice, 4),
      amountCents: lineAmountCents(quantityOf(line.quantity), line.unitPrice),
      taxCode: line.taxCode,
      accountCode: line.accountCode,
      periodStart: line.serviceDate,
      periodEnd: line.serviceDate,
      itemCode: null,
      sourceKind: line.sourceKind,
      sourceId: line.sourceId,
    });
  }
  return lines;
}
