import { describe, expect, it } from 'vitest';
import { invoiceTotals, type TaxRates } from './taxes.js';

const in2007: TaxRates = { gst: '0.06', qst: '0.075', qstBaseIncludesGst: true };
const in2014: TaxRates = { gst: '0.05', qst: '0.09975', qstBaseIncludesGst: false };

describe('GST and QST', () => {
  it('gives the mission worked example for 2014: 215.00 → GST 10.75, QST 21.45, total 247.20', () => {
    expect(invoiceTotals([{ amountCents: 21500, taxCode: 'taxable' }], in2014)).toMatchObject({ gstCents: 1075, qstCents: 2145, totalCents: 24720 });
  });

  it('gives the mission worked example for 2007 (QST on price + GST): 215.00 → GST 12.90, QST 17.09, total 244.99', () => {
    expect(invoiceTotals([{ amountCents: 21500, taxCode: 'taxable' }], in2007)).toMatchObject({ gstCents: 1290, qstCents: 1709, totalCents: 24499 });
  });

  it('rounds each tax once on the invoice sum, not per line', () => {
    // Seven lines of 0.07: per line GST 0.0035 → 0.00 each; on the sum 0.49 × 5 % = 0.0245 → 0.02.
    const lines = Array.from({ length: 7 }, () => ({ amountCents: 7, taxCode: 'taxable' as const }));
    expect(invoiceTotals(lines, in2014)).toMatchObject({ subtotalCents: 49, gstCents: 2, qstCents: 5 });
  });

  it('rounds half up at exactly half a cent', () => {
    // 0.10 × 5 % = 0.005 → 0.01.
    expect(invoiceTotals([{ amountCents: 10, taxCode: 'taxable' }], in2014).gstCents).toBe(1);
  });

  it('taxes only taxable lines; zero-rated and exempt lines count in the subtotal', () => {
    const totals = invoiceTotals(
      [
        { amountCents: 10000, taxCode: 'taxable' },
        { amountCents: 5000, taxCode: 'zero_rated' },
        { amountCents: 2500, taxCode: 'exempt' },
      ],
      in2014,
    );
    expect(totals).toEqual({ taxableCents: 10000, zeroRatedCents: 5000, exemptCents: 2500, subtotalCents: 17500, gstCents: 500, qstCents: 998, totalCents: 18998 });
  });

  it('charges no tax to an exempt customer', () => {
    expect(invoiceTotals([{ amountCents: 21500, taxCode: 'taxable' }], in2014, true)).toMatchObject({ gstCents: 0, qstCents: 0, totalCents: 21500 });
  });
});
