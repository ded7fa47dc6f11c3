import type { ResourceState } from '@ruche/hosting';
import type { PathSet, Rendered, RenderedUnit } from '../drivers/driver.js';
import { sha256Hex } from '../transports/connection.js';

export interface ReleasePlan {
  /** Units that go live as rendered. */
  included: RenderedUnit[];
  /** Units that keep their last good files on the server (refused, and unchanged since). */
  kept: RenderedUnit[];
  /** Files to write into the release: path → content (what differs from the live tree). */
  changed: Map<string, string>;
  /** Files of the live tree the release leaves out (deleted resources, stray files). */
  removed: string[];
  /** The shared files (a zone list) for what is included and kept. */
  shared: Map<string, string>;
  /** Included units that nobody changed, whose files differ on the server: hand edits. */
  drifted: RenderedUnit[];
  /** Something on the server differs though nothing waits to be applied (drift, or stray files). */
  drift: boolean;
}

export interface ReleaseInput {
  rendered: Rendered;
  /** The live tree: path → SHA-256 of its content. */
  live: ReadonlyMap<string, string>;
  resources: readonly ResourceState[];
  /** Units refused by the checker in this run: out of the release, their last good files kept. */
  refusedNow?: ReadonlySet<string>;
  /**
   * Out units whose last good files the checker refused in this run (a file it can no longer
   * read, after a change of layout, or a name another site now takes): they are taken off.
   */
  dropped?: ReadonlySet<string>;
  /**
   * Set when only the waiting resources were rendered (the driver's `loadWaiting`): the files
   * of every unit the server keeps, which stay as they are live unless rendered again.
   */
  keptFiles?: PathSet;
  /** The live tree was written by an earlier Ruche in another layout: what differs is not a hand edit. */
  earlierLayout?: boolean;
}

/** A resource that waits to be applied: changed, being deleted, or caught mid-run. */
export function isWaiting(resource: ResourceState): boolean {
  return resource.generation > resource.observedGeneration || resource.phase === 'deleting' || resource.phase === 'applying';
}

/**
 * What a file driver's release holds, decided from what was rendered and what the server
 * has, without I/O. A resource the checker refused, and that nobody changed since, keeps its
 * last good files (if it has any) and is not offered to the checker again at every pass; so
 * does one the driver would not render at all.
 */
export function planRelease(input: ReleaseInput): ReleasePlan {
  const { rendered, live } = input;
  const refusedNow = input.refusedNow ?? new Set<string>();
  const dropped = input.dropped ?? new Set<string>();
  const held = new Set(input.resources.filter((r) => r.phase === 'failed' && r.generation === r.observedGeneration).map((r) => r.id));
  const hasLiveFiles = (unit: RenderedUnit) => [...unit.files.keys()].some((file) => live.has(file));
  const out = (unit: RenderedUnit) => held.has(unit.resource.id) || refusedNow.has(unit.resource.id);

  const kept = rendered.units.filter((unit) => out(unit) && !dropped.has(unit.resource.id) && hasLiveFiles(unit));
  for (const { unit } of rendered.refused) if (unit && !dropped.has(unit.resource.id) && hasLiveFiles(unit)) kept.push(unit);
  const droppedPaths = new Set(
    [...rendered.units, ...rendered.refused.flatMap(({ unit }) => (unit ? [unit] : []))].filter((unit) => dropped.has(unit.resource.id)).flatMap((unit) => [...unit.files.keys()]),
  );
  const included = rendered.units.filter((unit) => !out(unit));

  const keptPaths = new Set(kept.flatMap((unit) => [...unit.files.keys()].filter((file) => live.has(file))));
  const desired = new Map<string, string>();
  for (const unit of included) for (const [file, content] of unit.files) desired.set(file, content);
  const shared = rendered.shared(included, kept, live);
  for (const [file, content] of shared) desired.set(file, content);
  const changed = new Map([...desired].filter(([file, content]) => live.get(file) !== sha256Hex(content)));
  const deleted = new Set(rendered.deleted);
  const keptFiles: PathSet = input.keptFiles ?? new Set<string>();
  const removed = [...live.keys()].filter((file) => !desired.has(file) && !keptPaths.has(file) && (deleted.has(file) || droppedPaths.has(file) || !keptFiles.has(file)));

  // Files differ though nothing was asked: someone changed the server by hand (not the first
  // release on a server that had none: its set-up, when it was registered).
  const touched = new Set([...changed.keys(), ...removed]);
  const drifted = included.filter(
    (unit) =>
      !input.earlierLayout && unit.resource.generation === unit.resource.observedGeneration && unit.resource.phase === 'ready' && [...unit.files.keys()].some((file) => touched.has(file)),
  );
  const drift = drifted.length > 0 || (!input.earlierLayout && live.size > 0 && !input.resources.some(isWaiting) && touched.size > 0);
  return { included, kept, changed, removed, shared, drifted, drift };
}

/** The units whose files change in the release. */
export function changedUnits(plan: ReleasePlan): RenderedUnit[] {
  return plan.included.filter((unit) => [...unit.files.keys()].some((file) => plan.changed.has(file)));
}
