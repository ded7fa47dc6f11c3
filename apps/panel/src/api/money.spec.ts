import { describe, expect, it } from 'vitest';
import { decimalToCents, hoursToMinutes } from './money';

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
});
