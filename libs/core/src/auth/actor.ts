import type { Locale } from '../config/config.js';

export const STAFF_ROLES = ['sysadmin', 'accountant', 'worker', 'coordinator'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ORGANIZATION_ROLES = ['owner', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export const SCOPES = [
  'hosting:read',
  'hosting:write',
  'provisioning:admin',
  'billing:read',
  'billing:write',
  'accounting:read',
  'accounting:write',
  'timekeeping:read',
  'timekeeping:write',
  'timekeeping:admin',
  'organizations:admin',
  'users:admin',
  'audit:read',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Where a permission applies: everywhere (staff) or in some organisations only. */
export type Coverage = 'all' | ReadonlySet<string>;

/** What each staff role may do, across every organisation. */
const STAFF_GRANTS: Record<StaffRole, readonly Scope[]> = {
  sysadmin: [
    'hosting:read',
    'hosting:write',
    'provisioning:admin',
    'organizations:admin',
    'users:admin',
    'audit:read',
    'billing:read',
    'timekeeping:read',
  ],
  accountant: [
    'hosting:read',
    'billing:read',
    'billing:write',
    'accounting:read',
    'accounting:write',
    'organizations:admin',
    'audit:read',
    'timekeeping:read',
  ],
  // Every worker reads the co-op's financial data and keeps their own time.
  worker: ['accounting:read', 'timekeeping:read', 'timekeeping:write'],
  // A worker the co-op charged with coordination: approves time and keeps contracts, rates,
  // committees and eligibility exceptions (a role, so tokens and the guard can hold it apart).
  coordinator: ['accounting:read', 'timekeeping:read', 'timekeeping:write', 'timekeeping:admin'],
};

/** What each client role may do, in its own organisation. */
const ORGANIZATION_GRANTS: Record<OrganizationRole, readonly Scope[]> = {
  owner: ['hosting:read', 'hosting:write', 'billing:read', 'organizations:admin'],
  member: ['hosting:read', 'hosting:write', 'billing:read'],
};

export interface Actor {
  kind: 'session' | 'token';
  userId: string;
  email: string;
  locale: Locale;
  staffRoles: readonly StaffRole[];
  grants: ReadonlyMap<Scope, Coverage>;
  sessionId: string | null;
  tokenId: string | null;
  /** The one organisation a token is limited to, if it is. */
  tokenOrganizationId: string | null;
  /** Set for a session of a staff member who must still enrol in two-factor authentication. */
  mustEnrollTwoFactor: boolean;
}

export interface ActorSubject {
  staffRoles: readonly StaffRole[];
  memberships: ReadonlyArray<{ organizationId: string; role: OrganizationRole }>;
}

/** The permissions a person holds through their staff roles and memberships. */
export function grantsFor(subject: ActorSubject): Map<Scope, Coverage> {
  const grants = new Map<Scope, Coverage>();
  for (const role of subject.staffRoles) {
    for (const scope of STAFF_GRANTS[role]) grants.set(scope, 'all');
  }
  for (const { organizationId, role } of subject.memberships) {
    for (const scope of ORGANIZATION_GRANTS[role]) {
      const current = grants.get(scope);
      if (current === 'all') continue;
      grants.set(scope, new Set([...(current ?? []), organizationId]));
    }
  }
  return grants;
}

/**
 * A token holds the intersection of what it was given and what its owner holds now, so a
 * person who loses a role loses it through their tokens too.
 */
export function restrictGrants(
  held: ReadonlyMap<Scope, Coverage>,
  scopes: readonly Scope[],
  organizationId: string | null,
): Map<Scope, Coverage> {
  const restricted = new Map<Scope, Coverage>();
  for (const scope of scopes) {
    const coverage = held.get(scope);
    if (!coverage) continue;
    if (organizationId === null) {
      restricted.set(scope, coverage);
    } else if (coverage === 'all' || coverage.has(organizationId)) {
      restricted.set(scope, new Set([organizationId]));
    }
  }
  return restricted;
}

export function covers(coverage: Coverage | undefined, organizationId: string): boolean {
  return coverage === 'all' || (coverage !== undefined && coverage.has(organizationId));
}
