import { assertStaffScope, requireActor, type Actor } from '@ruche/core';

/**
 * Who may do what with time, beyond the route's scope:
 * - recording time is co-op-wide (`timekeeping:write` everywhere, not a token limited to one
 *   organisation);
 * - coordinators (`timekeeping:admin`, the coordinator staff role) approve, and keep contracts,
 *   rates, committees, workers' standing and eligibility exceptions;
 * - everyone's entries are read by coordinators and accountants (`accounting:write`: they bill
 *   and pay them); a worker reads their own. Reports are every worker's (the co-op's transparency).
 */
export function isCoordinator(actor: Actor = requireActor()): boolean {
  return actor.grants.get('timekeeping:admin') === 'all';
}

export function assertCoordinator(): Actor {
  assertStaffScope('timekeeping:admin');
  return requireActor();
}

export function assertRecorder(): Actor {
  assertStaffScope('timekeeping:write');
  return requireActor();
}

export function assertReader(): Actor {
  assertStaffScope('timekeeping:read');
  return requireActor();
}

export function readsEveryonesTime(actor: Actor = requireActor()): boolean {
  return isCoordinator(actor) || actor.grants.get('accounting:write') === 'all';
}
