import { describe, expect, it } from 'vitest';
import type { Meter, PlanSpan } from '@ruche/hosting';
import { draftLines, type MeteredPrice } from './draft-lines.js';
import { billingPeriod } from './periods.js';

const november = billingPeriod('2026-11', 1)!;
const span = (from: string, to: string, monthlyPriceCents: number, code = 'communautaire'): PlanSpan => ({
  organizationId: 'o',
  planId: code,
  planCode: code,
  nameFr: `Forfait ${code}`,
  nameEn: `${code} plan`,
  from,
  to,
  monthlyPriceCents,
});
const storage: MeteredPrice = { itemCode: 'extra-mail-storage', nameFr: 'Stockage courriel (Mo)', nameEn: 'Mail storage (MB)', unitPrice: '0.0010', taxCode: 'taxable', accountCode: '4100' };

const build = (overrides: Partial<Parameters<typeof draftLines>[0]>) =>
  draftLines({ period: november, locale: 'en', spans: [], usage: [], meterPrices: new Map<Meter, MeteredPrice>(), pending: [], hostingAccount: '4100', ...overrides });

describe('draft lines of a billing run', () => {
  it('bill a whole month of a plan at its monthly price', () => {
    const [line] = build({ spans: [span('2026-11-01', '2026-12-01', 2500)] });
    expect(line).toMatchObject({ kind: 'plan', quantity: '1.0000', unitPrice: '25.0000', amountCents: 2500, periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(line!.description).toBe('communautaire plan — 2026-11-01 to 2026-11-30 (30/30 days)');
  });

  it('prorate a plan change mid-period by day, one line per plan', () => {
    const lines = build({ locale: 'fr', spans: [span('2026-11-01', '2026-11-16', 2500), span('2026-11-16', '2026-12-01', 4000, 'pro')] });
    expect(lines.map((l) => [l.quantity, l.unitPrice, l.amountCents])).toEqual([
      ['0.5000', '25.0000', 1250],
      ['0.5000', '40.0000', 2000],
    ]);
    expect(lines[1]!.description).toBe('Forfait pro — du 2026-11-16 au 2026-11-30 (15/30 jours)');
  });

  it('round a prorated amount half up from the quantity shown', () => {
    // 10 days of 31: 0.3226 × 25.00 = 8.065 → 8.07.
    const [line] = draftLines({ period: billingPeriod('2026-12', 1)!, locale: 'en', spans: [span('2026-12-22', '2027-01-01', 2500)], usage: [], meterPrices: new Map(), pending: [], hostingAccount: '4100' });
    expect([line!.quantity, line!.amountCents]).toEqual(['0.3226', 807]);
  });

  it('bill a capacity meter at the peak above what the plan includes, and nothing within it', () => {
    const lines = build({
      meterPrices: new Map([['mail_storage_mb', storage]]),
      usage: [
        { organizationId: 'o', meter: 'mail_storage_mb', peak: 53_000, peakAboveIncluded: 1_800, daysSampled: 30 },
        { organizationId: 'o', meter: 'domains', peak: 3, peakAboveIncluded: 0, daysSampled: 30 },
      ],
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'metered', quantity: '1800.0000', unitPrice: '0.0010', amountCents: 180, itemCode: 'extra-mail-storage' });
  });

  it('add lines submitted from elsewhere, in the customer’s language, with their source', () => {
    const [line] = build({
      locale: 'fr',
      pending: [{ id: 'x', sourceKind: 'time_entry', sourceId: 'e1', descriptionFr: 'Développement', descriptionEn: 'Development', quantity: '1.25', unitPrice: '60', taxCode: 'taxable', accountCode: '4200', serviceDate: '2026-11-12' }],
    });
    expect(line).toMatchObject({ kind: 'external', description: 'Développement', quantity: '1.2500', unitPrice: '60.0000', amountCents: 7500, sourceKind: 'time_entry', sourceId: 'e1' });
  });
});
