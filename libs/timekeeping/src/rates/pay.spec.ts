import { describe, expect, it } from 'vitest';
import { payOf, rateOn, segmentsOf } from './pay.js';

const rates = [
  { effectiveFrom: '2006-07-01', hourlyRate: '21.50' },
  { effectiveFrom: '2008-01-01', hourlyRate: '23.00' },
];

describe('pay', () => {
  it('finds the rate in force on a day, none before the first', () => {
    expect(rateOn(rates, '2006-06-30')).toBeNull();
    expect(rateOn(rates, '2006-07-01')?.hourlyRate).toBe('21.50');
    expect(rateOn(rates, '2007-12-31')?.hourlyRate).toBe('21.50');
    expect(rateOn(rates, '2008-01-01')?.hourlyRate).toBe('23.00');
    expect(rateOn([...rates].reverse(), '2009-05-05')?.hourlyRate).toBe('23.00');
  });

  it('pays each entry’s hours at the rate in force on its day, across a rate change', () => {
    const entries = [
      { workDate: '2007-12-30', minutes: 600 }, // 10 h at 21.50
      { workDate: '2007-12-31', minutes: 45 }, // 0.75 h at 21.50
      { workDate: '2008-01-01', minutes: 300 }, // 5 h at 23.00
      { workDate: '2006-06-30', minutes: 60 }, // before any rate
    ];
    const { segments, unratedMinutes } = segmentsOf(entries, rates);
    expect(unratedMinutes).toBe(60);
    const pay = payOf(segments);
    expect(pay.segments.map((s) => [s.hourlyRate, s.hours, s.amountCents])).toEqual([
      ['21.50', '10.75', 23113], // 231.125 → 231.13
      ['23.00', '5.00', 11500],
    ]);
    expect([pay.hours, pay.amountCents]).toEqual(['15.75', 34613]);
  });

  it('rounds half up once per rate, not per entry', () => {
    // Three quarter hours at 21.50: 5.375 each; per entry 3 × 5.38 = 16.14, once 16.125 → 16.13.
    const { segments } = segmentsOf([15, 15, 15].map((minutes, i) => ({ workDate: `2007-01-0${i + 1}`, minutes })), rates);
    expect(payOf(segments).amountCents).toBe(1613);
  });
});
