import { describe, expect, it } from 'vitest';
import type { Job } from './common.js';
import { emptyWatch, observe, settled, summarize, type Snapshot, type WatchState } from './watch-state.js';

const now = new Date('2026-11-30T12:00:00Z');
function job(id: string, status: Job['status'], fields: Partial<Job> = {}): Job {
  return {
    id,
    task: 'reconcile',
    serverId: 'server-1',
    service: 'web',
    status,
    trigger: 'change',
    runAt: status === 'queued' ? '2026-11-30T11:59:59Z' : null,
    startedAt: status === 'queued' ? null : `2026-11-30T11:59:${id.padStart(2, '0').slice(-2)}Z`,
    finishedAt: null,
    durationMs: null,
    attempts: null,
    filesChanged: 0,
    resourcesApplied: 0,
    resourcesFailed: 0,
    drift: false,
    reloads: 0,
    error: null,
    steps: null,
    ...fields,
  };
}
const look = (state: WatchState, snapshot: Partial<Snapshot>) => observe(state, { queued: [], running: [], recent: [], ...snapshot }, now);

describe('watching the queue', () => {
  it('ignores what had finished before it began, and follows a job from queued to finished', () => {
    const old = job('1', 'succeeded');
    let step = look(emptyWatch(), { queued: [job('q1', 'queued')], recent: [old] });
    expect(step.events.map((e) => [e.event, e.job.id])).toEqual([['queued', 'q1']]);
    step = look(step.state, { running: [job('2', 'running')], recent: [job('2', 'running'), old] });
    expect(step.events.map((e) => [e.event, e.job.id])).toEqual([['started', '2']]);
    step = look(step.state, { recent: [job('2', 'failed', { resourcesFailed: 1, error: 'nginx -t' }), old] });
    expect(step.events.map((e) => [e.event, e.job.id])).toEqual([['finished', '2']]);
    expect(summarize(step.state)).toMatchObject({ finished: 1, failed: 1, succeeded: 0, running: 0, queued: 0 });
  });

  it('reports a run that started and finished between two looks once, as finished', () => {
    const first = look(emptyWatch(), { queued: [job('q1', 'queued')] });
    const second = look(first.state, { recent: [job('3', 'succeeded', { resourcesApplied: 2 })] });
    expect(second.events.map((e) => e.event)).toEqual(['finished']);
    expect(look(second.state, { recent: [job('3', 'succeeded')] }).events).toEqual([]);
  });

  it('settles after two quiet looks in a row, not while something runs or is due', () => {
    let state = look(emptyWatch(), { running: [job('4', 'running')], recent: [job('4', 'running')] }).state;
    expect(settled(state)).toBe(false);
    state = look(state, { recent: [job('4', 'succeeded')] }).state;
    expect(settled(state)).toBe(false);
    // A job the worker just took is neither queued nor a run yet: one quiet look is not enough.
    state = look(state, { queued: [job('q2', 'queued')], recent: [job('4', 'succeeded')] }).state;
    expect(settled(state)).toBe(false);
    state = look(state, { recent: [job('4', 'succeeded')] }).state;
    state = look(state, { recent: [job('4', 'succeeded')] }).state;
    expect(settled(state)).toBe(true);
  });

  it('counts a run that started after `since` and finished before the first look (work queued just before watching)', () => {
    const since = Date.parse('2026-11-30T11:59:30Z');
    const step = observe(emptyWatch(since), { queued: [], running: [], recent: [job('45', 'succeeded'), job('10', 'succeeded')] }, now);
    expect(step.events.map((e) => [e.event, e.job.id])).toEqual([['finished', '45']]);
  });

  it('does not wait for a retry scheduled later, and says when it is due', () => {
    const later = job('q3', 'queued', { runAt: '2026-11-30T12:05:00Z' });
    let state = look(emptyWatch(), { queued: [later] }).state;
    state = look(state, { queued: [later] }).state;
    expect(settled(state)).toBe(true);
    expect(summarize(state)).toMatchObject({ queued: 1, nextRunAt: '2026-11-30T12:05:00Z' });
  });
});
