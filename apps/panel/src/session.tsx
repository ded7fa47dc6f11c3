import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, ApiError, setCsrfToken, unwrap, type ApiAnswer } from './api/client';
import { useLocale, type Locale } from './i18n/i18n';

export type Me = ApiAnswer<'/api/v1/auth/me'>;
export const ME_KEY = ['me'] as const;

/** Who is signed in, and the session's CSRF token (null when signed out). */
export const meQuery = {
  queryKey: ME_KEY,
  queryFn: async (): Promise<Me | null> => {
    try {
      const me = await unwrap(api.GET('/api/v1/auth/me'));
      setCsrfToken(me.csrfToken);
      return me;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 5 * 60_000,
};

/** The signed-in person (null when signed out). Their saved language becomes the page's. */
export function useMe() {
  const { locale, setLocale } = useLocale();
  const query = useQuery(meQuery);
  const saved = query.data?.user.locale;
  useEffect(() => {
    if (saved && saved !== locale) setLocale(saved);
    // Only when the account's language changes (sign-in, or changed elsewhere).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
  return query;
}

export function staffRoles(me: Me | null | undefined): ReadonlySet<string> {
  return new Set(me?.user.staffRoles ?? []);
}

/** Changes the language now and, when signed in, remembers it on the account. */
export function useSwitchLocale() {
  const client = useQueryClient();
  const { setLocale } = useLocale();
  return useMutation({
    mutationFn: async (locale: Locale) => {
      const me = client.getQueryData<Me | null>(ME_KEY);
      if (me) {
        const user = await unwrap(api.PATCH('/api/v1/auth/me', { body: { locale } }));
        client.setQueryData(ME_KEY, { ...me, user } as Me);
      }
      return locale;
    },
    onMutate: (locale) => setLocale(locale),
    // Lists carry nothing language-dependent but errors and plan names: fetch those again.
    onSuccess: () => client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'me' }),
  });
}

/** After sign-in (or accepting an invitation with a new password): the session's CSRF token and who we are. */
export async function startSession(client: ReturnType<typeof useQueryClient>, csrfToken: string): Promise<Me | null> {
  setCsrfToken(csrfToken);
  client.clear();
  return client.fetchQuery({ queryKey: ME_KEY, queryFn: async () => unwrap(api.GET('/api/v1/auth/me')) });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(ME_KEY, null);
    },
  });
}
