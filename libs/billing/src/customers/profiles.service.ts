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

  /** Where an organisation's invoices go: its billing contact, else its first owner. */
  async billingContact(organizationId: string): Promise<string | null> {
    const profile = await this.db.getRepository(BillingProfile).findOneBy({ organizationId });
    if (profile?.billingEmail) return profile.billingEmail;
    const owner = await this.db
      .getRepository(Membership)
      .createQueryBuilder('m')
      .innerJoin(User, 'u', 'u.id = m.userId')
      .select('u.email', 'email')
      .where('m.organizationId = :organizationId AND m.role = :role AND u.disabledAt IS NULL', { organizationId, role: 'owner' })
      .orderBy('m.createdAt', 'ASC')
      .getRawOne<{ email: string }>();
    return owner?.email ?? null;
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
