import { describe, expect, it } from 'vitest';
import { IdleCollectionPolicy } from './idle-collector.js';

const MB = 1024 * 1024;
const second = (cpuShare: number, heapTotal: number) => ({ cpuMicros: cpuShare * 1_000_000, elapsedMicros: 1_000_000, heapTotal });

describe('IdleCollectionPolicy', () => {
  it('collects once the process has been quiet two seconds in a row with a grown heap, not while it works', () => {
    const policy = new IdleCollectionPolicy(50 * MB);
    expect(policy.look(second(0.9, 200 * MB))).toBe(false);
    expect(policy.look(second(0.01, 200 * MB))).toBe(false);
    expect(policy.look(second(0.3, 200 * MB))).toBe(false);
    expect(policy.look(second(0.01, 200 * MB))).toBe(false);
    expect(policy.look(second(0.02, 200 * MB))).toBe(true);
  });

  it('leaves a heap alone that holds little more than it kept after the last collection', () => {
    const policy = new IdleCollectionPolicy(50 * MB);
    expect(policy.look(second(0, 70 * MB))).toBe(false);
    expect(policy.look(second(0, 70 * MB))).toBe(false);
    expect(policy.look(second(0, 90 * MB))).toBe(true);
    policy.collected(60 * MB);
    expect(policy.look(second(0, 80 * MB))).toBe(false);
    expect(policy.look(second(0, 80 * MB))).toBe(false);
  });

  it('collects again after more quiet seconds when the heap is still large (V8 gives pages back over two collections)', () => {
    const policy = new IdleCollectionPolicy(50 * MB);
    policy.look(second(0, 200 * MB));
    expect(policy.look(second(0, 200 * MB))).toBe(true);
    policy.collected(51 * MB);
    expect(policy.look(second(0, 130 * MB))).toBe(false);
    expect(policy.look(second(0, 130 * MB))).toBe(true);
  });

  it('counts a look with no time elapsed as busy', () => {
    const policy = new IdleCollectionPolicy(0);
    expect(policy.look({ cpuMicros: 0, elapsedMicros: 0, heapTotal: 100 * MB })).toBe(false);
    expect(policy.look(second(0, 100 * MB))).toBe(false);
    expect(policy.look(second(0, 100 * MB))).toBe(true);
  });
});
