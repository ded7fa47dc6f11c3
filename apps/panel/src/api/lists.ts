import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}

export type Phase = 'pending' | 'applying' | 'ready' | 'failed' | 'deleting';
export interface Stateful {
  phase: Phase;
  nextAttemptAt?: string | null;
  updatedAt?: string;
}

/** Something the servers are still working on: the page follows it until it settles. */
export function inProgress(resource: Stateful): boolean {
  return resource.phase === 'pending' || resource.phase === 'applying' || resource.phase === 'deleting';
}

/**
 * Live status by short polling: every second while a resource is on its way (every ten once it
 * has waited a minute: a service whose driver is not there yet, a paused server), every five
 * while a failed one waits for its automatic retry, not at all when everything has settled.
 */
export function pollWhileBusy(items: readonly Stateful[]): number | false {
  const busy = items.filter(inProgress);
  if (busy.length > 0) {
    const latest = Math.max(...busy.map((item) => Date.parse(item.updatedAt ?? '') || Date.now()));
    return Date.now() - latest < 60_000 ? 1000 : 10_000;
  }
  if (items.some((item) => item.phase === 'failed' && item.nextAttemptAt)) return 5000;
  return false;
}

/** A cursor-paged list, with "show more", optionally followed live. */
export function usePagedList<T>(key: QueryKey, fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>, options: { live?: (items: T[]) => number | false; enabled?: boolean } = {}) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: options.enabled ?? true,
    refetchInterval: options.live ? (q) => options.live!((q.state.data?.pages ?? []).flatMap((page) => page.data)) : false,
  });
  const items = (query.data?.pages ?? []).flatMap((page) => page.data);
  return { ...query, items };
}
