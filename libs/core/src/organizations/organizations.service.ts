import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { AuditService } from '../audit/audit.service.js';
import { assertOrganizationAccess, assertStaffScope, visibleOrganizationIds } from '../auth/access.js';
import type { OrganizationRole } from '../auth/actor.js';
import type { Locale } from '../config/config.js';
import { mapPage, paginate, type Page, type PageQuery } from '../http/pagination.js';
import { invalidFields } from '../http/zod-validation.pipe.js';
import { InvitationsService, toInvitationDto } from '../users/invitations.service.js';
import type { InvitationDto } from '../users/invitation.schemas.js';
import { Organization } from './organization.entity.js';
import { Membership } from './membership.entity.js';
import type { MemberDto, OrganizationDto } from './organization.schemas.js';

export function toOrganizationDto(org: Organization): OrganizationDto {
  return { id: org.id, name: org.name, locale: org.locale, createdAt: org.createdAt.toISOString(), updatedAt: org.updatedAt.toISOString() };
}

/** Listeners other libs register to react when an organisation is created (default plan, placement). */
export type OrganizationCreatedHook = (organization: Organization) => Promise<void>;

/** A lib that owns part of an organisation's settings (hosting owns `placement`). */
export type OrganizationSettingHandler = (organizationId: string, value: unknown) => Promise<void>;

@Injectable()
export class OrganizationsService {
  private readonly createdHooks: OrganizationCreatedHook[] = [];
  private readonly settingHandlers = new Map<string, OrganizationSettingHandler>();

  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly invitations: InvitationsService,
  ) {}

  onOrganizationCreated(hook: OrganizationCreatedHook): void {
    this.createdHooks.push(hook);
  }

  handleSetting(key: string, handler: OrganizationSettingHandler): void {
    this.settingHandlers.set(key, handler);
  }

  async create(input: { name: string; locale: Locale }): Promise<Organization> {
    assertStaffScope('organizations:admin');
    const repository = this.db.getRepository(Organization);
    const id = newId();
    // insert() fills the generated columns (createdAt, updatedAt) into the entity it is given.
    const organization = repository.create({ id, name: input.name, locale: input.locale });
    await repository.insert(organization);
    for (const hook of this.createdHooks) await hook(organization);
    await this.audit.record({
      action: 'organization.create',
      targetType: 'organization',
      targetId: id,
      organizationId: id,
      after: { name: organization.name, locale: organization.locale },
    });
    return organization;
  }

  /** The organisation, if the caller may see it with `scope`; else 404. */
  async get(id: string, scope: Parameters<typeof assertOrganizationAccess>[0] = 'hosting:read'): Promise<Organization> {
    assertOrganizationAccess(scope, id);
    const organization = await this.db.getRepository(Organization).findOneBy({ id });
    if (!organization) throw new NotFound();
    return organization;
  }

  async list(page: PageQuery): Promise<Page<OrganizationDto>> {
    const visible = visibleOrganizationIds('hosting:read');
    const billing = visibleOrganizationIds('billing:read');
    const qb = this.db.getRepository(Organization).createQueryBuilder('o');
    if (visible !== 'all' && billing !== 'all') {
      qb.andWhere('o.id = ANY(:ids::uuid[])', { ids: [...new Set([...visible, ...billing])] });
    }
    return mapPage(await paginate(qb, page), toOrganizationDto);
  }

  /** The names of these organisations (for lists that span several), without access checks: callers check. */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.getRepository(Organization).find({ where: { id: In([...new Set(ids)]) }, select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  async update(id: string, changes: { name?: string | undefined; locale?: Locale | undefined; placement?: unknown }): Promise<Organization> {
    const before = await this.get(id, 'organizations:admin');
    if (changes.placement !== undefined) {
      const handler = this.settingHandlers.get('placement');
      if (!handler) throw invalidFields({ field: 'placement', code: 'unknown_field' });
      await handler(id, changes.placement);
    }
    const patch: Partial<Organization> = {};
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.locale !== undefined) patch.locale = changes.locale;
    if (Object.keys(patch).length > 0) await this.db.getRepository(Organization).update({ id }, patch);
    const after = await this.db.getRepository(Organization).findOneByOrFail({ id });
    await this.audit.record({
      action: 'organization.update',
      targetType: 'organization',
      targetId: id,
      organizationId: id,
      before: { name: before.name, locale: before.locale },
      after: { name: after.name, locale: after.locale },
    });
    return after;
  }

  async listMembers(organizationId: string): Promise<MemberDto[]> {
    await this.get(organizationId, 'hosting:read');
    const rows = await this.db.query<{ user_id: string; email: string; display_name: string; role: OrganizationRole; created_at: Date }>(
      `SELECT m.user_id, u.email, u.display_name, m.role, m.created_at
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY m.id`,
      [organizationId],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /**
   * Invites a person to an organisation. Nobody is attached until the holder of the address
   * accepts through the mailed link; the answer is the same whether or not the address has an
   * account.
   */
  async invite(organizationId: string, input: { email: string; role: OrganizationRole; locale?: Locale | undefined }): Promise<InvitationDto> {
    const organization = await this.get(organizationId, 'organizations:admin');
    const invitation = await this.invitations.invite({ email: input.email, organizationId, role: input.role, locale: input.locale ?? organization.locale });
    return toInvitationDto(invitation);
  }

  async updateMember(organizationId: string, userId: string, role: OrganizationRole): Promise<MemberDto> {
    await this.get(organizationId, 'organizations:admin');
    const membership = await this.lockMembership(organizationId, userId);
    if (membership.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(organizationId, userId);
    await this.db.getRepository(Membership).update({ id: membership.id }, { role });
    await this.audit.record({
      action: 'membership.update',
      targetType: 'user',
      targetId: userId,
      organizationId,
      before: { role: membership.role },
      after: { role },
    });
    return (await this.listMembers(organizationId)).find((member) => member.userId === userId)!;
  }

  async removeMember(organizationId: string, userId: string): Promise<void> {
    await this.get(organizationId, 'organizations:admin');
    const membership = await this.lockMembership(organizationId, userId);
    if (membership.role === 'owner') await this.assertAnotherOwner(organizationId, userId);
    await this.db.getRepository(Membership).delete({ id: membership.id });
    await this.audit.record({
      action: 'membership.delete',
      targetType: 'user',
      targetId: userId,
      organizationId,
      before: { role: membership.role },
    });
  }

  private async lockMembership(organizationId: string, userId: string): Promise<Membership> {
    // Locking every membership of the organisation serialises owner changes, so two
    // concurrent demotions cannot leave it without an owner.
    const rows = await this.db
      .getRepository(Membership)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.organizationId = :organizationId', { organizationId })
      .getMany();
    const membership = rows.find((row) => row.userId === userId);
    if (!membership) throw new NotFound();
    return membership;
  }

  private async assertAnotherOwner(organizationId: string, userId: string): Promise<void> {
    const owners = await this.db
      .getRepository(Membership)
      .createQueryBuilder('m')
      .where('m.organizationId = :organizationId AND m.role = :role AND m.userId <> :userId', { organizationId, role: 'owner', userId })
      .getCount();
    if (owners === 0) throw new Conflict('last_owner');
  }
}
