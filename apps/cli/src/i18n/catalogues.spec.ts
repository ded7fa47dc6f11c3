import { describe, expect, it } from 'vitest';
import { catalogueDifferences } from '../../../../test/support/icu-arguments.js';
import { createI18n, pickLocale } from './i18n.js';
import { en } from './messages.en.js';
import { fr } from './messages.fr.js';

describe('the ruche command’s message catalogues', () => {
  it('have the same keys in French and English, valid ICU messages using the same arguments in both', () => {
    expect(catalogueDifferences(en, fr)).toEqual([]);
  });

  it('have no empty message, and no ASCII apostrophe in French but ICU quoting of braces', () => {
    for (const [key, value] of Object.entries(fr)) {
      expect(value.trim(), key).not.toBe('');
      expect(value.replace(/'\{[^']*\}'/g, ''), key).not.toMatch(/'/);
    }
  });

  it('format plurals and selections in each language', () => {
    expect(createI18n('en').t('servers.resyncQueued', { count: 1, name: 'web1' })).toBe('1 reconcile queued for web1.');
    expect(createI18n('fr').t('servers.resyncQueued', { count: 2, name: '__all' })).toBe('2 réconciliations mises en file.');
    expect(createI18n('fr').t('state', { state: 'failed' })).toBe('en échec');
    expect(createI18n('en').t('state', { state: 'something-new' })).toBe('something-new');
  });
});

describe('the language of messages', () => {
  it('is --lang, else LC_ALL, LC_MESSAGES, then LANG, else English', () => {
    expect(pickLocale(['--lang', 'fr', 'servers'], { LANG: 'en_CA.UTF-8' })).toBe('fr');
    expect(pickLocale(['servers', '--lang=en'], { LC_ALL: 'fr_CA.UTF-8' })).toBe('en');
    expect(pickLocale([], { LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' })).toBe('fr');
    expect(pickLocale([], { LC_MESSAGES: 'fr_CA', LANG: 'en_CA.UTF-8' })).toBe('fr');
    expect(pickLocale([], { LANG: 'fr' })).toBe('fr');
    expect(pickLocale([], { LANG: 'C.UTF-8' })).toBe('en');
    expect(pickLocale([], {})).toBe('en');
    // An option value after `--` is an argument, not a language.
    expect(pickLocale(['--', '--lang', 'fr'], {})).toBe('en');
  });
});
