import { describe, expect, it } from 'vitest';
import { formatDecimal, formatMoney, formatRate, formatUnitPrice } from './format.js';

describe('money and numbers on invoices', () => {
  it('read as each language writes them', () => {
    expect(formatMoney(24720, 'fr')).toBe('247,20 $');
    expect(formatMoney(24720, 'en')).toBe('$247.20');
    expect(formatMoney(123456789, 'fr')).toBe('1 234 567,89 $');
    expect(formatMoney(123456789, 'en')).toBe('$1,234,567.89');
    expect(formatMoney(-5, 'en')).toBe('-$0.05');
  });

  it('drop trailing zeros of quantities and rates', () => {
    expect(formatDecimal('1.0000', 'en')).toBe('1');
    expect(formatDecimal('0.3226', 'fr')).toBe('0,3226');
    expect(formatDecimal('25.0000', 'en', 2)).toBe('25.00');
    expect(formatRate('0.09975', 'fr')).toBe('9,975');
    expect(formatRate('0.05', 'en')).toBe('5');
    expect(formatUnitPrice('25.0000', 'fr')).toBe('25,00 $');
    expect(formatUnitPrice('0.0010', 'fr')).toBe('0,001 $');
    expect(formatUnitPrice('0.0010', 'en')).toBe('$0.001');
  });
});
