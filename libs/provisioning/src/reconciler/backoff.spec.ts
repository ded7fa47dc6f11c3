import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles from 2 s, with half the delay random', () => {
    expect(backoffDelayMs(1, 600_000, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, 600_000, () => 1)).toBe(2000);
    expect(backoffDelayMs(4, 600_000, () => 1)).toBe(16_000);
    expect(backoffDelayMs(4, 600_000, () => 0)).toBe(8000);
  });

  it('never passes the cap', () => {
    expect(backoffDelayMs(30, 600_000, () => 1)).toBe(600_000);
    expect(backoffDelayMs(1000, 10_000, () => 0.5)).toBe(7500);
  });
});
