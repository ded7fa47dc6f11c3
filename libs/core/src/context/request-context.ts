import { AsyncLocalStorage } from 'node:async_hooks';
import type { Locale } from '../config/config.js';
import type { Actor } from '../auth/actor.js';

/** What every log line, audit entry and error message needs to know about the current request or job. */
export interface RequestContextData {
  requestId: string;
  ip: string | null;
  /** From the caller's Accept-Language; the authenticated user's own locale wins (see `contextLocale`). */
  headerLocale: Locale | null;
  actor: Actor | null;
}

const storage = new AsyncLocalStorage<RequestContextData>();

export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
};

export function currentActor(): Actor | null {
  return storage.getStore()?.actor ?? null;
}

export function contextLocale(defaultLocale: Locale): Locale {
  const data = storage.getStore();
  return data?.actor?.locale ?? data?.headerLocale ?? defaultLocale;
}

/** Picks fr or en from an Accept-Language header, by quality. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && !Number.isNaN(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === 'fr' || tag.startsWith('fr-')) return 'fr';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return null;
}
