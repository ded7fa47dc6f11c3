import { parse } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { en } from './en-CA';
import { fr } from './fr-CA';
import { argumentsOf } from '../../../../test/support/icu-arguments';

describe('the panel’s message catalogues', () => {
  it('have the same keys in French and English', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('are valid ICU messages using the same arguments in both languages', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      const english = argumentsOf(parse(en[key]));
      const french = argumentsOf(parse(fr[key]));
      expect([...french].sort(), key).toEqual([...english].sort());
    }
  });

  it('have no empty message and no ASCII apostrophe (ICU quoting) in French', () => {
    for (const [key, value] of Object.entries(fr)) {
      expect(value.trim(), key).not.toBe('');
      expect(value, key).not.toMatch(/'/);
    }
  });
});
