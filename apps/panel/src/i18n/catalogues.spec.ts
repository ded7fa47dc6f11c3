import { describe, expect, it } from 'vitest';
import { en } from './en-CA';
import { fr } from './fr-CA';
import { catalogueDifferences } from '../../../../test/support/icu-arguments';

describe('the panel’s message catalogues', () => {
  it('have the same keys in French and English, valid ICU messages using the same arguments in both', () => {
    expect(catalogueDifferences(en, fr)).toEqual([]);
  });

  it('have no empty message and no ASCII apostrophe (ICU quoting) in French', () => {
    for (const [key, value] of Object.entries(fr)) {
      expect(value.trim(), key).not.toBe('');
      expect(value, key).not.toMatch(/'/);
    }
  });
});
