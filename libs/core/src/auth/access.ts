import { currentActor } from '../context/request-context.js';
import { Forbidden, NotFound, Unauthenticated } from '../errors/domain-error.js';
import { covers, type Actor, type Scope } from './actor.js';

/**
 * Tenant checks, in one place. Services call these with the organisation a row belongs to;
 * a caller who may not see it gets 404, exactly as if it did not exist.
 */
export function requireActor(): Actor {
  const actor = currentActor();
  if (!actor) throw new Unauthenticated();
  return actor;
}

export function canAccessOrganization(scope: Scope, organizationId: string): boolean {
  const actor = currentActor();
  return actor !== null && covers(actor.grants.get(scope), organizationId);
}

export function assertOrganizationAccess(scope: Scope, organizationId: string): void {
  if (!canAccessOrganization(scope, organizationId)) throw new NotFound();
}

/** `'all'` for staff; otherwise the organisations the caller may see, for a `WHERE organization_id = ANY(...)`. */
export function visibleOrganizationIds(scope: Scope): 'all' | string[] {
  const coverage = requireActor().grants.get(scope);
  if (coverage === 'all') return 'all';
  return coverage ? [...coverage] : [];
}

/** For actions that only co-op-wide staff may take (creating organisations, declaring servers). */
export function assertStaffScope(scope: Scope): void {
  if (requireActor().grants.get(scope) !== 'all') throw new Forbidden('missing_scope', { scope });
}
