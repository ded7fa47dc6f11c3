import { describe, expect, it } from 'vitest';
import { enCA } from './catalogues/en-CA.js';
import { frCA } from './catalogues/fr-CA.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]!).sort();
}

describe('message catalogues', () => {
  it('have the same keys in French and English', () => {
    expect(keys(frCA).sort()).toEqual(keys(enCA).sort());
  });

  it('use the same placeholders in both languages, and no empty message', () => {
    const get = (catalogue: unknown, key: string) => key.split('.').reduce<any>((node, part) => node[part], catalogue) as string;
    for (const key of keys(enCA)) {
      expect(get(frCA, key).length, key).toBeGreaterThan(0);
      expect(placeholders(get(frCA, key)), key).toEqual(placeholders(get(enCA, key)));
    }
  });
});
