import { describe, expect, it } from 'vitest';
import { formatDocumentNumber, seriesOf } from './numbering.js';
import { billingPeriod, daysBetween } from '../runs/periods.js';

describe('document numbers', () => {
  it('follow the configured format', () => {
    expect(formatDocumentNumber('{year}-{seq:5}', 2026, 1)).toBe('2026-00001');
    expect(formatDocumentNumber('AV-{year}-{seq:3}', 2026, 1234)).toBe('AV-2026-1234');
    expect(formatDocumentNumber('F{seq}', 2026, 42)).toBe('F42');
  });

  it('run in one series per kind and year', () => {
    expect(seriesOf('invoice', '2026-12-31')).toBe('invoice:2026');
    expect(seriesOf('credit_note', '2027-01-01')).toBe('credit_note:2027');
  });
});

describe('billing periods', () => {
  it('are calendar months by default, and start on the anchor day otherwise', () => {
    expect(billingPeriod('2026-11', 1)).toEqual({ period: '2026-11', start: '2026-11-01', end: '2026-12-01' });
    expect(billingPeriod('2026-12', 15)).toEqual({ period: '2026-12', start: '2026-12-15', end: '2027-01-15' });
    expect(billingPeriod('2026-13', 1)).toBeNull();
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
  });
});
