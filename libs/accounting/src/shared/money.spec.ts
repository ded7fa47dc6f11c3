import { describe, expect, it } from 'vitest';
import { centsToDecimal, withDecimals } from './money.js';
import { toCsv } from './csv.js';

describe('money as text', () => {
  it('writes cents with two decimals, negative ones too', () => {
    expect([24720, 5, -5, 0, -123456].map(centsToDecimal)).toEqual(['247.20', '0.05', '-0.05', '0.00', '-1234.56']);
  });

  it('turns every …Cents field into a decimal string, deep inside objects and arrays', () => {
    expect(withDecimals({ totalCents: 24720, lines: [{ amountCents: -5, code: '1100' }], at: null })).toEqual({ total: '247.20', lines: [{ amount: '-0.05', code: '1100' }], at: null });
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['=SUM(A1)', '-12.50'], ['-x', null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),-12.50\r\n\'-x,\r\n');
  });
});
