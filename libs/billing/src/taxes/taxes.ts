import { Decimal, dollarsToCents } from '../shared/decimal.js';

export const TAX_CODES = ['taxable', 'zero_rated', 'exempt'] as const;
export type TaxCode = (typeof TAX_CODES)[number];

/** The GST and QST in force on a day; the QST base includes the GST until 2012. */
export interface TaxRates {
  gst: string;
  qst: string;
  qstBaseIncludesGst: boolean;
}

export interface InvoiceTotals {
  taxableCents: number;
  zeroRatedCents: number;
  exemptCents: number;
  subtotalCents: number;
  gstCents: number;
  qstCents: number;
  totalCents: number;
}

/**
 * An invoice's taxes: each tax once, on the sum of its taxable lines, rounded half up to the
 * cent (never per line). Zero-rated lines are taxable at 0 %; exempt lines and exempt
 * customers pay none.
 */
export function invoiceTotals(lines: ReadonlyArray<{ amountCents: number; taxCode: TaxCode }>, rates: TaxRates, customerExempt = false): InvoiceTotals {
  const sum = (code: TaxCode) => lines.filter((line) => line.taxCode === code).reduce((total, line) => total + line.amountCents, 0);
  const taxableCents = sum('taxable');
  const zeroRatedCents = sum('zero_rated');
  const exemptCents = sum('exempt');
  const subtotalCents = taxableCents + zeroRatedCents + exemptCents;
  if (customerExempt) return { taxableCents, zeroRatedCents, exemptCents, subtotalCents, gstCents: 0, qstCents: 0, totalCents: subtotalCents };
  const base = new Decimal(taxableCents).dividedBy(100);
  const gstCents = dollarsToCents(base.times(rates.gst));
  const qstBase = rates.qstBaseIncludesGst ? base.plus(new Decimal(gstCents).dividedBy(100)) : base;
  const qstCents = dollarsToCents(qstBase.times(rates.qst));
  return { taxableCents, zeroRatedCents, exemptCents, subtotalCents, gstCents, qstCents, totalCents: subtotalCents + gstCents + qstCents };
}
