import type { Job } from './common.js';

/**
 * What `ruche jobs watch` knows of the queue, and the pure decisions on it (unit-tested): what
 * changed since the last look, and whether what it watches is done. Queued jobs come from the
 * queue (their ids are the queue's); running and finished ones are reconcile runs.
 */
export interface WatchState {
  /** Runs that had finished before the watch began: not this watch's business. */
  baseline: ReadonlySet<string> | null;
  queued: ReadonlyMap<string, Job>;
  runs: ReadonlyMap<string, Job>;
  /** Consecutive looks that found nothing running and nothing due. */
  quietLooks: number;
  /**
   * Runs started from then on (the API's clock, ms) are the watch's even if they finished
   * before its first look: the work a command queued just before watching.
   */
  since: number | null;
}

export type WatchEvent = { event: 'queued' | 'started' | 'finished'; job: Job };

export interface Snapshot {
  queued: readonly Job[];
  running: readonly Job[];
  /** The newest runs, whatever their status. */
  recent: readonly Job[];
}

export const emptyWatch = (since: number | null = null): WatchState => ({ baseline: null, queued: new Map(), runs: new Map(), quietLooks: 0, since });

const isDone = (job: Job) => job.status === 'succeeded' || job.status === 'failed' || job.status === 'skipped';
/** A run that left resources failed failed for its watcher too, even if the release went out. */
export const hasFailed = (job: Job) => job.status === 'failed' || job.resourcesFailed > 0;

export function observe(state: WatchState, snapshot: Snapshot, now: Date): { state: WatchState; events: WatchEvent[] } {
  const events: WatchEvent[] = [];
  const before = (job: Job) => state.since === null || job.startedAt === null || Date.parse(job.startedAt) < state.since;
  const baseline = state.baseline ?? new Set(snapshot.recent.filter((job) => isDone(job) && before(job)).map((job) => job.id));
  const queued = new Map(snapshot.queued.map((job) => [job.id, job]));
  for (const job of snapshot.queued) if (!state.queued.has(job.id)) events.push({ event: 'queued', job });
  const runs = new Map(state.runs);
  const seen = new Map<string, Job>();
  for (const job of [...snapshot.recent, ...snapshot.running]) seen.set(job.id, job);
  // Oldest first, so lines read in the order things happened.
  for (const job of [...seen.values()].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''))) {
    if (baseline.has(job.id)) continue;
    const before = runs.get(job.id);
    if (!before && !isDone(job)) events.push({ event: 'started', job });
    if (isDone(job) && (!before || !isDone(before))) events.push({ event: 'finished', job });
    runs.set(job.id, job);
  }
  const quiet = ![...runs.values()].some((job) => !isDone(job)) && !snapshot.queued.some((job) => isDue(job, now));
  return { state: { ...state, baseline, queued, runs, quietLooks: quiet ? state.quietLooks + 1 : 0 }, events };
}

const isDue = (job: Job, now: Date) => job.runAt === null || Date.parse(job.runAt) <= now.getTime();

/**
 * Done: nothing running and nothing due, on two looks in a row (a job the worker has just
 * taken is neither queued nor a run yet for a moment). Jobs waiting for a later retry do not
 * hold the watch: the summary says when they run.
 */
export const settled = (state: WatchState): boolean => state.quietLooks >= 2;

export interface WatchSummary {
  finished: number;
  succeeded: number;
  failed: number;
  skipped: number;
  running: number;
  queued: number;
  /** When the next queued job (a retry with backoff) is due. */
  nextRunAt: string | null;
}

export function summarize(state: WatchState): WatchSummary {
  const runs = [...state.runs.values()];
  const done = runs.filter(isDone);
  const next = [...state.queued.values()].map((job) => job.runAt).filter((at): at is string => at !== null).sort()[0] ?? null;
  return {
    finished: done.length,
    succeeded: done.filter((job) => job.status === 'succeeded' && !hasFailed(job)).length,
    failed: done.filter(hasFailed).length,
    skipped: done.filter((job) => job.status === 'skipped').length,
    running: runs.length - done.length,
    queued: state.queued.size,
    nextRunAt: next,
  };
}
