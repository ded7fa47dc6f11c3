import { Inject, Injectable } from '@nestjs/common';
import i18next, { type i18n } from 'i18next';
import { CONFIG, type Config, type Locale } from '../config/config.js';
import { contextLocale } from '../context/request-context.js';
import { enCA } from './catalogues/en-CA.js';
import { frCA } from './catalogues/fr-CA.js';

export type MessageCatalogue = Record<string, unknown>;

/** Translations for fr-CA and en-CA; feature libs add their own catalogues at start-up. */
@Injectable()
export class I18nService {
  private readonly i18n: i18n;

  constructor(@Inject(CONFIG) private readonly config: Config) {
    this.i18n = i18next.createInstance();
    void this.i18n.init({
      initAsync: false,
      resources: { en: { translation: enCA }, fr: { translation: frCA } },
      lng: config.defaultLocale,
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }

  addCatalogues(catalogues: { en: MessageCatalogue; fr: MessageCatalogue }): void {
    this.i18n.addResourceBundle('en', 'translation', catalogues.en, true, false);
    this.i18n.addResourceBundle('fr', 'translation', catalogues.fr, true, false);
  }

  /** The locale of the current request (user, then Accept-Language, then the default). */
  get locale(): Locale {
    return contextLocale(this.config.defaultLocale);
  }

  t(key: string, params: Record<string, unknown> = {}, locale: Locale = this.locale): string {
    return this.i18n.t(key, { ...params, lng: locale });
  }

  has(key: string): boolean {
    return this.i18n.exists(key, { lng: 'en' });
  }
}
