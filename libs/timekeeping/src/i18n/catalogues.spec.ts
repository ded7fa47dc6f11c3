import { describe, expect, it } from 'vitest';
import { timekeepingEn, timekeepingFr } from './catalogues.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]!).sort();
const get = (catalogue: unknown, key: string) => key.split('.').reduce<any>((node, part) => node[part], catalogue) as string;

describe('timekeeping catalogues', () => {
  it('say the same things in French and English, with the same placeholders', () => {
    expect(keys(timekeepingFr).sort()).toEqual(keys(timekeepingEn).sort());
    for (const key of keys(timekeepingEn)) {
      expect(get(timekeepingFr, key).length, key).toBeGreaterThan(0);
      expect(placeholders(get(timekeepingFr, key)), key).toEqual(placeholders(get(timekeepingEn, key)));
    }
  });
});
