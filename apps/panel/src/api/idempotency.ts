import { useCallback, useState } from 'react';

/**
 * One key per thing typed: a second click (or a retry after a lost answer) creates it once.
 * `renew` once the API has taken it, so the next one typed is a new one.
 */
export function useIdempotencyKey(): { key: string; headers: { 'idempotency-key': string }; renew: () => void } {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const renew = useCallback(() => setKey(crypto.randomUUID()), []);
  return { key, headers: { 'idempotency-key': key }, renew };
}
