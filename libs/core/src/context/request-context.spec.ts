import { describe, expect, it } from 'vitest';
import { localeFromAcceptLanguage } from './request-context.js';

describe('localeFromAcceptLanguage', () => {
  it.each([
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-CA', 'en'],
    ['de, en;q=0.4, fr;q=0.8', 'fr'],
    ['fr;q=0, en', 'en'],
    ['de-DE', null],
    [undefined, null],
    ['', null],
  ])('%s → %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });
});
