import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { setRequestLanguage } from '../api/client';
import { decimalToCents } from '../api/money';
import { intlLocale, loadMessages, rememberLocale, type Locale, type MessageId, type Messages } from './locale';

export { intlLocale };
export type { Locale, MessageId };

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

const LocaleContext = createContext<LocaleState>({ locale: 'fr', setLocale: () => undefined });

/** The language shown and its catalogue; another language's catalogue is loaded when asked for. */
export function LocaleProvider({ initial, children }: { initial: { locale: Locale; messages: Messages }; children: ReactNode }) {
  const [shown, setShown] = useState(initial);
  const locale = shown.locale;
  const wanted = useRef(locale);
  // The API answers in the language asked for, even while its catalogue is on its way.
  setRequestLanguage(wanted.current);
  useEffect(() => {
    document.documentElement.lang = intlLocale(locale);
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    wanted.current = next;
    setRequestLanguage(next);
    rememberLocale(next);
    // The page stays in the old language until the new one's catalogue is here (a quick switch back wins).
    loadMessages(next).then(
      (messages) => {
        if (wanted.current === next) setShown({ locale: next, messages });
      },
      // Not loaded (offline, a new release): the page stays in the language it shows.
      () => undefined,
    );
  }, []);
  const state = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return (
    <LocaleContext.Provider value={state}>
      <IntlProvider locale={intlLocale(locale)} messages={shown.messages} defaultLocale="fr-CA">
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export const useLocale = () => useContext(LocaleContext);

export type Values = Record<string, string | number | Date | boolean | null | undefined | ((chunks: ReactNode[]) => ReactNode)>;

/** `t('domains.title')`: a message of the catalogue (ICU: plurals, selects, numbers). */
export function useT() {
  const intl = useIntl();
  return useCallback((id: MessageId, values?: Values) => intl.formatMessage({ id }, values as never) as string, [intl]);
}

/** Dates, numbers, sizes and money in the user's locale. */
export function useFormat() {
  const intl = useIntl();
  return useMemo(
    () => ({
      date: (iso: string | Date) => intl.formatDate(iso, { dateStyle: 'medium' }),
      dateTime: (iso: string | Date) => intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }),
      time: (iso: string | Date) => intl.formatTime(iso, { timeStyle: 'short' }),
      number: (value: number) => intl.formatNumber(value),
      percent: (ratio: number) => intl.formatNumber(ratio, { style: 'percent', maximumFractionDigits: 0 }),
      money: (cents: number, currency = 'CAD') => intl.formatNumber(cents / 100, { style: 'currency', currency }),
      /** Money as the API writes it ("247.20"). */
      amount: (text: string | null | undefined, currency = 'CAD') => intl.formatNumber(decimalToCents(text) / 100, { style: 'currency', currency }),
      /** A calendar day as the API writes it ("2026-11-30"), never shifted by the browser's time zone. */
      day: (iso: string, style: 'medium' | 'long' | 'full' = 'medium') => intl.formatDate(`${iso.slice(0, 10)}T12:00:00`, { dateStyle: style }),
      /** A month ("2026-11") spelled out: "November 2026", "novembre 2026". */
      month: (period: string, month: 'long' | 'short' = 'long') => intl.formatDate(`${period.slice(0, 7)}-15T12:00:00`, { month, year: 'numeric' }),
      /** A month's short name alone ("nov."), under a chart's bar. */
      monthName: (period: string) => intl.formatDate(`${period.slice(0, 7)}-15T12:00:00`, { month: 'short' }),
      /** Hours as the API writes them ("7.50"). */
      hours: (text: string) => intl.formatNumber(decimalToCents(text) / 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      /** A tax rate as the API writes it, a fraction ("0.099750" → "9,975 %"). */
      rate: (fraction: string) => intl.formatNumber(Number(fraction), { style: 'percent', maximumFractionDigits: 3 }),
      megabytes: (mb: number) =>
        mb >= 1024
          ? intl.formatNumber(mb / 1024, { style: 'unit', unit: 'gigabyte', maximumFractionDigits: 1 })
          : intl.formatNumber(mb, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }),
      bytes: (bytes: number) => {
        const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
        let value = bytes;
        let unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
          value /= 1024;
          unit++;
        }
        return intl.formatNumber(value, { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 });
      },
    }),
    [intl],
  );
}
