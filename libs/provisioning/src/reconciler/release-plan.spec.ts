import { describe, expect, it } from 'vitest';
import type { ResourceState } from '@ruche/hosting';
import type { Rendered, RenderedUnit } from '../drivers/driver.js';
import { sha256Hex } from '../transports/connection.js';
import { changedUnits, isWaiting, planRelease } from './release-plan.js';

const resource = (id: string, fields: Partial<ResourceState> = {}): ResourceState => ({
  type: 'site',
  id,
  organizationId: 'org',
  generation: 1,
  observedGeneration: 1,
  phase: 'ready',
  attempts: 0,
  label: id,
  ...fields,
});

const unit = (state: ResourceState, content = `config of ${state.id}`): RenderedUnit => ({ resource: state, files: new Map([[`sites/${state.id}.conf`, content]]) });

function rendered(units: RenderedUnit[], options: { refused?: Rendered['refused']; list?: boolean } = {}): Rendered {
  return {
    units,
    refused: options.refused ?? [],
    shared: options.list ? (included, kept) => new Map([['list', [...included, ...kept].map((u) => u.resource.id).sort().join('\n')]]) : () => new Map(),
  };
}

const liveOf = (files: Record<string, string>) => new Map(Object.entries(files).map(([file, content]) => [file, sha256Hex(content)]));

describe('planRelease', () => {
  it('changes nothing when the server has exactly what is rendered', () => {
    const a = resource('a');
    const plan = planRelease({ rendered: rendered([unit(a)]), live: liveOf({ 'sites/a.conf': 'config of a' }), resources: [a] });
    expect(plan).toMatchObject({ changed: new Map(), removed: [], drifted: [], drift: false });
    expect(plan.included.map((u) => u.resource.id)).toEqual(['a']);
  });

  it('writes what is new or changed, removes what no resource renders', () => {
    const a = resource('a', { generation: 2 });
    const b = resource('b', { generation: 1, observedGeneration: 0, phase: 'pending' });
    const plan = planRelease({
      rendered: rendered([unit(a, 'new config of a'), unit(b)]),
      live: liveOf({ 'sites/a.conf': 'config of a', 'sites/gone.conf': 'old' }),
      resources: [a, b],
    });
    expect([...plan.changed.keys()].sort()).toEqual(['sites/a.conf', 'sites/b.conf']);
    expect(plan.removed).toEqual(['sites/gone.conf']);
    expect(changedUnits(plan).map((u) => u.resource.id)).toEqual(['a', 'b']);
    expect(plan.drift).toBe(false);
  });

  it('with only the waiting resources rendered, leaves the files of the units the server keeps and removes the rest', () => {
    const changed = resource('changed', { generation: 2 });
    const added = resource('added', { generation: 1, observedGeneration: 0, phase: 'pending' });
    const deleting = resource('deleting', { generation: 2, phase: 'deleting' });
    const plan = planRelease({
      rendered: { ...rendered([unit(changed, 'new config of changed'), unit(added)]), deleted: ['sites/deleting.conf'] },
      live: liveOf({ 'sites/changed.conf': 'config of changed', 'sites/quiet.conf': 'config of quiet', 'sites/deleting.conf': 'x', 'sites/moved-away.conf': 'y' }),
      resources: [changed, added, deleting],
      // "quiet" was not rendered: it waits for nothing. "moved-away" is not kept; "deleting" is,
      // as when it was deleted between the two reads, but being deleted wins.
      keptFiles: new Set(['sites/changed.conf', 'sites/added.conf', 'sites/quiet.conf', 'sites/deleting.conf']),
    });
    expect([...plan.changed.keys()].sort()).toEqual(['sites/added.conf', 'sites/changed.conf']);
    expect(plan.removed.sort()).toEqual(['sites/deleting.conf', 'sites/moved-away.conf']);
    expect(plan.included.map((u) => u.resource.id)).toEqual(['changed', 'added']);
    expect(plan.drift).toBe(false);
  });

  it('calls a hand edit of a ready, unchanged resource drift, and restores it', () => {
    const a = resource('a');
    const plan = planRelease({ rendered: rendered([unit(a)]), live: liveOf({ 'sites/a.conf': 'hacked' }), resources: [a] });
    expect(plan.drifted.map((u) => u.resource.id)).toEqual(['a']);
    expect(plan.drift).toBe(true);
    expect(plan.changed.get('sites/a.conf')).toBe('config of a');
  });

  it('calls nothing drift when the live tree was written in an earlier layout', () => {
    const a = resource('a');
    const plan = planRelease({ rendered: rendered([unit(a)]), live: liveOf({ 'sites/a.conf': 'server { … }', 'old-layout.conf': 'x' }), resources: [a], earlierLayout: true });
    expect(plan).toMatchObject({ drifted: [], drift: false, removed: ['old-layout.conf'] });
    expect(plan.changed.get('sites/a.conf')).toBe('config of a');
  });

  it('calls a stray file drift only when nothing waits to be applied', () => {
    const a = resource('a');
    const stray = liveOf({ 'sites/a.conf': 'config of a', 'sites/stray.conf': 'x' });
    expect(planRelease({ rendered: rendered([unit(a)]), live: stray, resources: [a] }).drift).toBe(true);
    const waiting = resource('b', { generation: 2 });
    expect(planRelease({ rendered: rendered([unit(a), unit(waiting)]), live: stray, resources: [a, waiting] }).drift).toBe(false);
  });

  it('does not call the first release of a server that had none drift (its set-up), though nothing waits', () => {
    const first = planRelease({ rendered: rendered([], { list: true }), live: new Map(), resources: [] });
    expect(first).toMatchObject({ changed: new Map([['list', '']]), drift: false });
    // The same shared file changed by hand afterwards is drift.
    expect(planRelease({ rendered: rendered([], { list: true }), live: liveOf({ list: 'edited' }), resources: [] }).drift).toBe(true);
  });

  it('keeps the last good files of a resource the checker refused and nobody changed since', () => {
    const held = resource('held', { phase: 'failed', generation: 3, observedGeneration: 3 });
    const plan = planRelease({ rendered: rendered([unit(held, 'refused config')], { list: true }), live: liveOf({ 'sites/held.conf': 'last good', list: 'held' }), resources: [held] });
    expect(plan.included).toEqual([]);
    expect(plan.kept.map((u) => u.resource.id)).toEqual(['held']);
    expect(plan.changed).toEqual(new Map());
    expect(plan.removed).toEqual([]);
  });

  it('takes off the server a kept resource whose last good files the checker now refuses, even when only what waits was rendered', () => {
    const held = resource('held', { phase: 'failed', generation: 3, observedGeneration: 3 });
    const waiting = resource('waiting', { generation: 2 });
    const plan = planRelease({
      rendered: rendered([unit(held, 'refused config'), unit(waiting, 'new config of waiting')], { list: true }),
      live: liveOf({ 'sites/held.conf': 'last good, in a layout no longer read', 'sites/waiting.conf': 'config of waiting', 'sites/quiet.conf': 'config of quiet', list: 'held\nwaiting' }),
      resources: [held, waiting],
      dropped: new Set(['held']),
      keptFiles: new Set(['sites/held.conf', 'sites/waiting.conf', 'sites/quiet.conf']),
    });
    expect(plan.kept).toEqual([]);
    expect(plan.included.map((u) => u.resource.id)).toEqual(['waiting']);
    expect(plan.removed).toEqual(['sites/held.conf']);
    expect(plan.shared.get('list')).toBe('waiting');
  });

  it('leaves out a refused resource that has no files yet, and one refused in this run', () => {
    const fresh = resource('fresh', { phase: 'failed', generation: 1, observedGeneration: 1 });
    const now = resource('now', { generation: 2 });
    const plan = planRelease({
      rendered: rendered([unit(fresh), unit(now, 'config checker refuses')], { list: true }),
      live: liveOf({ 'sites/now.conf': 'config of now', list: 'now' }),
      resources: [fresh, now],
      refusedNow: new Set(['now']),
    });
    expect(plan.included).toEqual([]);
    expect(plan.kept.map((u) => u.resource.id)).toEqual(['now']);
    // The shared list names what is in the release: the kept one, not the fresh one.
    expect(plan.shared.get('list')).toBe('now');
    expect(plan.changed.has('sites/fresh.conf')).toBe(false);
  });

  it('keeps the live files of a resource the driver would not render', () => {
    const tampered = resource('t', { generation: 2 });
    const plan = planRelease({
      rendered: rendered([], { refused: [{ resource: tampered, message: 'bad', unit: unit(tampered, '') }] }),
      live: liveOf({ 'sites/t.conf': 'last good' }),
      resources: [tampered],
    });
    expect(plan.removed).toEqual([]);
    expect(plan.kept.map((u) => u.resource.id)).toEqual(['t']);
  });
});

describe('isWaiting', () => {
  it('is true for changed, deleting and interrupted resources', () => {
    expect(isWaiting(resource('a'))).toBe(false);
    expect(isWaiting(resource('a', { generation: 2 }))).toBe(true);
    expect(isWaiting(resource('a', { phase: 'deleting' }))).toBe(true);
    expect(isWaiting(resource('a', { phase: 'applying' }))).toBe(true);
  });
});
