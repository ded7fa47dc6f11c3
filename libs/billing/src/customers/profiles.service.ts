import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, assertStaffScope, AuditService, Membership, NotFound, Organization, TransactionalConnection, User } from '@ruche/core';
import { In } from 'typeorm';
import { BillingProfile } from './billing-profile.entity.js';

export interface ProfileInput {
  billingEmail?: string | null | undefined;
  taxExempt?: boolean | undefined;
  exemptionReason?: string | null | undefined;
  exemptionNumber?: string | null | undefined;
}

/** Billing contact and tax exemption per organisation. */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async get(organizationId: string) {
    assertOrganizationAccess('billing:read', organizationId);
    if (!(await this.db.getRepository(Organization).existsBy({ id: organizationId }))) throw new NotFound();
    return this.dto(organizationId, await this.db.getRepository(BillingProfile).findOneBy({ organizationId }));
  }

  async update(organizationId: string, input: ProfileInput) {
    assertStaffScope('billing:write');
    const before = await this.get(organizationId);
    const next = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) };
    if (!next.taxExempt) Object.assign(next, { exemptionReason: null, exemptionNumber: null });
    await this.db.getRepository(BillingProfile).upsert(
      { organizationId, billingEmail: next.billingEmail ?? null, taxExempt: next.taxExempt, exemptionReason: next.exemptionReason ?? null, exemptionNumber: next.exemptionNumber ?? null },
      ['organizationId'],
    );
    await this.audit.record({ action: 'billing_profile.update', targetType: 'organization', targetId: organizationId, organizationId, before, after: next });
    return this.get(organizationId);
  }

  /** Exemptions of several organisations at once (billing runs). */
  async profilesOf(organizationIds: string[]): Promise<Map<string, BillingProfile>> {
    const rows = await this.db.getRepository(BillingProfile).findBy({ organizationId: In(organizationIds) });
    return new Map(rows.map((row) => [row.organizationId, row]));
  }

  /** Where each organisation's invoices go: its billing contact, else its first owner (none without either). */
  async billingContacts(organizationIds: string[]): Promise<Map<string, string>> {
    const contacts = new Map<string, string>();
    if (organizationIds.length === 0) return contacts;
    for (const [organizationId, profile] of await this.profilesOf(organizationIds)) if (profile.billingEmail) contacts.set(organizationId, profile.billingEmail);
    const rest = organizationIds.filter((id) => !contacts.has(id));
    if (rest.length === 0) return contacts;
    const owners = await this.db
      .getRepository(Membership)
      .createQueryBuilder('m')
      .innerJoin(User, 'u', 'u.id = m.userId')
      .select(['m.organizationId AS organization_id', 'u.email AS email'])
      .where('m.organizationId IN (:...rest) AND m.role = :role AND u.disabledAt IS NULL', { rest, role: 'owner' })
      .orderBy('m.createdAt', 'ASC')
      .getRawMany<{ organization_id: string; email: string }>();
    for (const owner of owners) if (!contacts.has(owner.organization_id)) contacts.set(owner.organization_id, owner.email);
    return contacts;
  }

  private dto(organizationId: string, profile: BillingProfile | null) {
    return {
      organizationId,
      billingEmail: profile?.billingEmail ?? null,
      taxExempt: profile?.taxExempt ?? false,
      exemptionReason: profile?.exemptionReason ?? null,
      exemptionNumber: profile?.exemptionNumber ?? null,
    };
  }
}
