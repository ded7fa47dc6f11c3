import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './messages.en.js';
import { fr } from './messages.fr.js';

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, fr };
/** The API's and the number formats' tag for a language: the co-op is in Canada. */
export const LANGUAGE_TAGS: Record<Locale, string> = { en: 'en-CA', fr: 'fr-CA' };

export type MessageValues = Record<string, string | number | boolean | null | undefined>;
export interface I18n {
  locale: Locale;
  t(key: MessageKey, values?: MessageValues): string;
  number(value: number, options?: Intl.NumberFormatOptions): string;
}

/**
 * The language of the command's own words and of the API's answers: `--lang`, else the
 * POSIX locale (LC_ALL, then LC_MESSAGES, then LANG), else English.
 */
export function pickLocale(argv: readonly string[], env: NodeJS.ProcessEnv): Locale {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const value = arg.startsWith('--lang=') ? arg.slice('--lang='.length) : arg === '--lang' ? argv[i + 1] : undefined;
    if (value !== undefined && (LOCALES as readonly string[]).includes(value)) return value as Locale;
  }
  const posix = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^fr([_.@-]|$)/i.test(posix) ? 'fr' : 'en';
}

export function createI18n(locale: Locale): I18n {
  const compiled = new Map<MessageKey, IntlMessageFormat>();
  const tag = LANGUAGE_TAGS[locale];
  return {
    locale,
    t(key, values) {
      let format = compiled.get(key);
      if (!format) {
        format = new IntlMessageFormat(CATALOGUES[locale][key], tag);
        compiled.set(key, format);
      }
      return String(format.format(values as Record<string, string | number | boolean | null | undefined> | undefined));
    },
    number: (value, options) => new Intl.NumberFormat(tag, options).format(value),
  };
}
