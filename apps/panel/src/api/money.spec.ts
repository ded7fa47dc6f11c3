import { describe, expect, it } from 'vitest';
import { decimalToCents, hoursToMinutes, MONEY, percentToFraction, typedDecimal } from './money';

describe('money from the API', () => {
  it('reads decimal text into exact cents', () => {
    expect(decimalToCents('247.20')).toBe(24720);
    expect(decimalToCents('0.1')).toBe(10);
    expect(decimalToCents('-15.00')).toBe(-1500);
    expect(decimalToCents('30.0000')).toBe(3000);
    expect(decimalToCents('1.0050')).toBe(101);
    expect(decimalToCents('12')).toBe(1200);
    expect(decimalToCents('not money')).toBe(0);
  });

  it('reads hours into minutes', () => {
    expect(hoursToMinutes('7.50')).toBe(450);
    expect(hoursToMinutes('0.25')).toBe(15);
  });

  it('reads what a person types in either language', () => {
    expect(typedDecimal(' 12,50 ')).toBe('12.50');
    expect(typedDecimal('1 200,00')).toBe('1200.00');
    expect(typedDecimal('1\u202f200,5')).toBe('1200.5');
    expect(typedDecimal('45.99')).toBe('45.99');
    expect(typedDecimal('7')).toBe('7');
    expect(typedDecimal('0,1234')).toBe('0.1234');
  });

  it('reads nothing it would have to guess at, so the person is asked again', () => {
    for (const typed of ['douze', '', '12,5,0', '1.234,50', '-5', '+5', '12 50', '12,', ',5', '1e3', '12,50 $', '0,12345', '12345678901']) expect(typedDecimal(typed), typed).toBeUndefined();
    expect(typedDecimal('45,999', MONEY)).toBeUndefined();
    expect(typedDecimal('123456789012,99', MONEY)).toBe('123456789012.99');
  });

  it('turns a typed percentage into the fraction the API stores, exactly', () => {
    expect(percentToFraction('5')).toBe('0.05');
    expect(percentToFraction('9,975')).toBe('0.09975');
    expect(percentToFraction('14.975 %')).toBe('0.14975');
    expect(percentToFraction('0,5')).toBe('0.005');
    expect(percentToFraction('0')).toBe('0');
    expect(percentToFraction('abc')).toBeUndefined();
    expect(percentToFraction('150')).toBeUndefined();
    expect(percentToFraction('9,97501')).toBeUndefined();
  });
});
