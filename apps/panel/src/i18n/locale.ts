import type { MessageId } from './en-CA';

/**
 * What the boot needs before React: the language to start in and its catalogue. Nothing here
 * imports a library, so the first script can run it while the libraries are still loading.
 */
export type Locale = 'fr' | 'en';
export type { MessageId };
/** A catalogue as the source spells it (the build ships each message already parsed). */
export type Messages = Record<MessageId, string>;

export const intlLocale = (locale: Locale) => (locale === 'en' ? 'en-CA' : 'fr-CA');

const STORAGE_KEY = 'ruche.locale';

/** Before sign-in: the last language chosen on this browser, else the browser's, else French (the co-op's). */
export function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored === 'fr' || stored === 'en') return stored;
  } catch {
    // Storage may be off: the browser's language decides.
  }
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

export function rememberLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered on this browser; the account remembers it when signed in.
  }
}

/** One language's catalogue, in its own chunk: a page loads only the language it shows. */
export function loadMessages(locale: Locale): Promise<Messages> {
  return locale === 'en' ? import('./en-CA').then((module) => module.en) : import('./fr-CA').then((module) => module.fr);
}
