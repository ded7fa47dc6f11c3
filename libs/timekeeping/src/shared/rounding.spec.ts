import { describe, expect, it } from 'vitest';
import { formatRoundingRule, parseRoundingRule, roundMinutes } from './rounding.js';

describe('rounding a recorded duration', () => {
  it('rounds up to the next step, leaving exact steps alone', () => {
    const rule = parseRoundingRule('up:15');
    expect([1, 14, 15, 16, 30, 31, 59, 60, 61].map((m) => roundMinutes(m, rule))).toEqual([15, 15, 15, 30, 30, 45, 60, 60, 75]);
  });

  it('rounds to the nearest step (a half rounds up), never to nothing', () => {
    const rule = parseRoundingRule('nearest:15');
    expect([1, 7, 8, 22, 23, 37, 38].map((m) => roundMinutes(m, rule))).toEqual([15, 15, 15, 15, 30, 30, 45]);
    expect(roundMinutes(5, parseRoundingRule('nearest:10'))).toBe(10);
  });

  it('rounds down, keeping at least one step', () => {
    const rule = parseRoundingRule('down:6');
    expect([1, 5, 6, 11, 12, 13].map((m) => roundMinutes(m, rule))).toEqual([6, 6, 6, 6, 12, 12]);
  });

  it('keeps the minutes as recorded with none', () => {
    expect(roundMinutes(7, parseRoundingRule('none'))).toBe(7);
  });

  it('reads and writes rules, and refuses what is not one', () => {
    expect(formatRoundingRule(parseRoundingRule('up:15'))).toBe('up:15');
    expect(formatRoundingRule(parseRoundingRule('none'))).toBe('none');
    for (const bad of ['up', 'up:0', 'up:61', 'sideways:15', 'up:15 ', 'UP:15']) expect(() => parseRoundingRule(bad), bad).toThrow(/rounding rule/);
    expect(() => roundMinutes(0, parseRoundingRule('up:15'))).toThrow();
    expect(() => roundMinutes(1.5, parseRoundingRule('up:15'))).toThrow();
  });
});
