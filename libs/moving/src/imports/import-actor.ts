import { SCOPES, type Actor } from '@ruche/core';

/**
 * The permissions an import or a move acts with in its jobs, on behalf of the sysadmin who
 * asked (their id in the audit log): what a sysadmin's hosting work needs, no more.
 */
export function importActor(userId: string): Actor {
  const staff = new Set(['hosting:read', 'hosting:write', 'organizations:admin', 'users:admin', 'provisioning:admin']);
  return {
    kind: 'token',
    userId,
    email: '',
    locale: 'en',
    staffRoles: ['sysadmin'],
    grants: new Map(SCOPES.filter((scope) => staff.has(scope)).map((scope) => [scope, 'all' as const])),
    sessionId: null,
    tokenId: null,
    tokenOrganizationId: null,
    mustEnrollTwoFactor: false,
  };
}
