import { describe, expect, it } from 'vitest';
import { timekeepingEn, timekeepingFr } from './catalogues.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]!).sort();
const get = (catalogue: unknown, key: string) => key.split('.').reduce<any>((node, part) => node[part], catalogue) as string;

/** The lib's sources as text (vite reads them at transform time: no I/O in the test). */
const sources = (import.meta as unknown as { glob: (pattern: string, options: object) => Record<string, string> }).glob('../**/*.ts', { query: '?raw', import: 'default', eager: true });

describe('timekeeping catalogues', () => {
  it('hold a message for every error and validation code the lib raises', () => {
    const text = Object.entries(sources).filter(([file]) => !file.endsWith('.spec.ts')).map(([, source]) => source).join('\n');
    const errors = new Set([...text.matchAll(/new (?:Conflict|Forbidden|DomainError)\('([a-z_]+)'/g)].map((match) => match[1]!));
    const validations = new Set([...text.matchAll(/(?:fieldError\(this\.i18n, '[A-Za-z]+', |invalid\('[A-Za-z]+', |validation\.)'?([a-z_]+)'/g)].map((match) => match[1]!));
    expect([errors.size > 10, validations.size > 5]).toEqual([true, true]);
    const core = ['missing_scope', 'validation_failed', 'forbidden', 'not_found'];
    expect([...errors].filter((code) => !(code in timekeepingEn.errors) && !core.includes(code))).toEqual([]);
    expect([...validations].filter((code) => !(code in timekeepingEn.validation))).toEqual([]);
    // And nothing in the catalogue that no code raises.
    expect(Object.keys(timekeepingEn.errors).filter((code) => !errors.has(code))).toEqual([]);
  });

  it('say the same things in French and English, with the same placeholders', () => {
    expect(keys(timekeepingFr).sort()).toEqual(keys(timekeepingEn).sort());
    for (const key of keys(timekeepingEn)) {
      expect(get(timekeepingFr, key).length, key).toBeGreaterThan(0);
      expect(placeholders(get(timekeepingFr, key)), key).toEqual(placeholders(get(timekeepingEn, key)));
    }
  });
});
