import { describe, expect, it } from 'vitest';
import { covers, grantsFor, restrictGrants } from './actor.js';

describe('grants', () => {
  it('give staff roles co-op-wide permissions and client roles per organisation', () => {
    const grants = grantsFor({
      staffRoles: ['accountant'],
      memberships: [
        { organizationId: 'org-1', role: 'owner' },
        { organizationId: 'org-2', role: 'member' },
      ],
    });
    expect(grants.get('billing:write')).toBe('all');
    expect(grants.get('hosting:read')).toBe('all');
    expect(grants.get('hosting:write')).toEqual(new Set(['org-1', 'org-2']));
    expect(grants.get('organizations:admin')).toBe('all');
    expect(grants.has('provisioning:admin')).toBe(false);
  });

  it('let owners, not members, manage their organisation', () => {
    const grants = grantsFor({ staffRoles: [], memberships: [{ organizationId: 'org-1', role: 'owner' }, { organizationId: 'org-2', role: 'member' }] });
    expect(covers(grants.get('organizations:admin'), 'org-1')).toBe(true);
    expect(covers(grants.get('organizations:admin'), 'org-2')).toBe(false);
  });

  it('restrict a token to its scopes and organisation, within what its owner holds', () => {
    const held = grantsFor({ staffRoles: ['sysadmin'], memberships: [] });
    const bound = restrictGrants(held, ['hosting:read', 'billing:write'], 'org-9');
    expect(bound.get('hosting:read')).toEqual(new Set(['org-9']));
    expect(bound.has('billing:write')).toBe(false);
    const client = grantsFor({ staffRoles: [], memberships: [{ organizationId: 'org-1', role: 'member' }] });
    expect(restrictGrants(client, ['hosting:read'], 'org-2').size).toBe(0);
  });
});
