import type { Phase } from './hosted-resource.js';
import type { ResourceType } from './resource-kinds.js';

/** One resource as the reconciler sees it: enough to apply it and to record what came of it. */
export interface ResourceState {
  type: ResourceType;
  id: string;
  organizationId: string;
  generation: number;
  observedGeneration: number;
  phase: Phase;
  /** Failed attempts so far, for the backoff. */
  attempts: number;
  /** A short human name for logs and events (a domain, a site's first host name, an address). */
  label: string;
}

/** The desired-state columns of a resource table aliased `r`, as `StateRow` reads them. */
export const STATE_COLUMNS = 'r.id, r.organization_id, r.generation, r.observed_generation, r.attempts, r.phase';

/** A resource (table aliased `r`) waiting to be applied: changed, being deleted, or caught mid-run. */
export const WAITING = `(r.generation > r.observed_generation OR r.phase IN ('deleting', 'applying'))`;

export interface StateRow {
  id: string;
  organization_id: string;
  generation: number;
  observed_generation: number;
  attempts: number;
  phase: Phase;
}

export function resourceStateOf(type: ResourceType, row: StateRow, label: string): ResourceState {
  return {
    type,
    id: row.id,
    organizationId: row.organization_id,
    generation: row.generation,
    observedGeneration: row.observed_generation,
    phase: row.phase,
    attempts: row.attempts,
    label,
  };
}
