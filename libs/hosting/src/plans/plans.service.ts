import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertOrganizationAccess,
  assertStaffScope,
  AuditService,
  Conflict,
  I18nService,
  NotFound,
  newId,
  TransactionalConnection,
  type Organization,
} from '@ruche/core';
import { IsNull } from 'typeorm';
import type { z } from 'zod';
import { prefixFromName } from '../names/identifiers.js';
import { HOSTING_SETTINGS, type HostingSettings } from '../hosting.settings.js';
import { ServersService } from '../servers/servers.service.js';
import { METERS, PLAN_QUOTA_PROPERTY, type Meter } from './meters.js';
import { Plan } from './plan.entity.js';
import { PlanPrice } from './plan-price.entity.js';
import { Subscription } from './subscription.entity.js';
import { QuotaOverride } from './quota-override.entity.js';
import { OrganizationHosting } from './organization-hosting.entity.js';
import { planQuotas } from './quotas.service.js';
import type { addPriceSchema, createPlanSchema, planSchema, quotaOverridesSchema, updatePlanSchema } from './plan.schemas.js';

const today = () => new Date().toISOString().slice(0, 10);

@Injectable()
export class PlansService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly servers: ServersService,
    @Inject(HOSTING_SETTINGS.token) private readonly settings: HostingSettings,
  ) {}

  async toDto(plan: Plan): Promise<z.infer<typeof planSchema>> {
    const prices = await this.db.getRepository(PlanPrice).find({ where: { planId: plan.id }, order: { effectiveFrom: 'ASC' } });
    const current = prices.filter((price) => price.effectiveFrom <= today()).pop();
    return {
      id: plan.id,
      code: plan.code,
      name: this.i18n.locale === 'fr' ? plan.nameFr : plan.nameEn,
      nameFr: plan.nameFr,
      nameEn: plan.nameEn,
      isDefault: plan.isDefault,
      active: plan.active,
      quotas: planQuotas(plan),
      monthlyPriceCents: current?.monthlyPriceCents ?? null,
      prices: prices.map((price) => ({ effectiveFrom: price.effectiveFrom, monthlyPriceCents: price.monthlyPriceCents })),
    };
  }

  async list(): Promise<Plan[]> {
    return this.db.getRepository(Plan).find({ order: { id: 'ASC' } });
  }

  async get(id: string): Promise<Plan> {
    const plan = await this.db.getRepository(Plan).findOneBy({ id });
    if (!plan) throw new NotFound();
    return plan;
  }

  async create(input: z.infer<typeof createPlanSchema>): Promise<Plan> {
    assertStaffScope('billing:write');
    const repository = this.db.getRepository(Plan);
    if (await repository.findOneBy({ code: input.code })) throw new Conflict('plan_code_taken', { code: input.code });
    if (input.isDefault) await repository.update({ isDefault: true }, { isDefault: false });
    const id = newId();
    await repository.insert({
      id,
      code: input.code,
      nameFr: input.nameFr,
      nameEn: input.nameEn,
      isDefault: input.isDefault,
      active: true,
      ...quotaColumns(input.quotas),
    });
    await this.db.getRepository(PlanPrice).insert({ id: newId(), planId: id, effectiveFrom: input.effectiveFrom ?? today(), monthlyPriceCents: input.monthlyPriceCents });
    const plan = await repository.findOneByOrFail({ id });
    await this.audit.record({ action: 'plan.create', targetType: 'plan', targetId: id, after: await this.toDto(plan) });
    return plan;
  }

  async update(id: string, changes: z.infer<typeof updatePlanSchema>): Promise<Plan> {
    assertStaffScope('billing:write');
    const before = await this.get(id);
    const repository = this.db.getRepository(Plan);
    if (changes.isDefault) await repository.update({ isDefault: true }, { isDefault: false });
    await repository.update(
      { id },
      {
        ...(changes.nameFr !== undefined ? { nameFr: changes.nameFr } : {}),
        ...(changes.nameEn !== undefined ? { nameEn: changes.nameEn } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(changes.isDefault ? { isDefault: true } : {}),
        ...quotaColumns(changes.quotas ?? {}),
      },
    );
    const after = await repository.findOneByOrFail({ id });
    await this.audit.record({ action: 'plan.update', targetType: 'plan', targetId: id, before: await this.toDto(before), after: await this.toDto(after) });
    return after;
  }

  /** Prices are effective-dated: a new row from a day on, never an edit of the past. */
  async addPrice(id: string, input: z.infer<typeof addPriceSchema>): Promise<Plan> {
    assertStaffScope('billing:write');
    const plan = await this.get(id);
    const inserted = await this.db
      .getRepository(PlanPrice)
      .createQueryBuilder()
      .insert()
      .values({ id: newId(), planId: id, effectiveFrom: input.effectiveFrom, monthlyPriceCents: input.monthlyPriceCents })
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length === 0) throw new Conflict('price_exists', { date: input.effectiveFrom });
    await this.audit.record({ action: 'plan.price', targetType: 'plan', targetId: id, after: input });
    return plan;
  }

  // --- organisations ----------------------------------------------------------------------

  /** Gives a new organisation its hosting profile (a unique name prefix) and the default plan. */
  async setUpOrganization(organization: Organization): Promise<void> {
    const base = prefixFromName(organization.name);
    // The name's own prefix when free, else the name's first letters and a random tail.
    // ON CONFLICT keeps a race between two creations from failing either of them.
    for (let attempt = 0; ; attempt++) {
      const prefix = attempt === 0 ? base : `${base.slice(0, 8)}${randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, '0').slice(-4)}`;
      const inserted = await this.db
        .getRepository(OrganizationHosting)
        .createQueryBuilder()
        .insert()
        .values({ organizationId: organization.id, prefix })
        .orIgnore()
        .returning('prefix')
        .execute();
      if (inserted.raw.length === 1) break;
      if (attempt > 20) throw new Error('could not find a free organisation prefix');
    }
    await this.db.query(
      `INSERT INTO subscriptions (id, organization_id, plan_id, starts_on) SELECT $1, $2, id, $3 FROM plans WHERE is_default`,
      [newId(), organization.id, today()],
    );
  }

  async prefixOf(organizationId: string): Promise<string> {
    const profile = await this.db.getRepository(OrganizationHosting).findOneBy({ organizationId });
    if (!profile) throw new NotFound();
    return profile.prefix;
  }

  async currentSubscription(organizationId: string): Promise<Subscription | null> {
    return this.db.getRepository(Subscription).findOneBy({ organizationId, endsOn: IsNull() });
  }

  /** Moves an organisation to another plan from a day on (today by default). */
  async subscribe(organizationId: string, planId: string, startsOn = today()): Promise<void> {
    assertStaffScope('organizations:admin');
    assertOrganizationAccess('hosting:read', organizationId);
    const plan = await this.get(planId);
    if (!plan.active) throw new Conflict('plan_inactive', { code: plan.code });
    const current = await this.currentSubscription(organizationId);
    if (current?.planId === planId) return;
    if (current) {
      if (current.startsOn >= startsOn) {
        await this.db.getRepository(Subscription).delete({ id: current.id });
      } else {
        await this.db.getRepository(Subscription).update({ id: current.id }, { endsOn: startsOn });
      }
    }
    await this.db.getRepository(Subscription).insert({ id: newId(), organizationId, planId, startsOn, endsOn: null });
    await this.audit.record({
      action: 'organization.subscribe',
      targetType: 'organization',
      targetId: organizationId,
      organizationId,
      before: current ? { planId: current.planId } : null,
      after: { planId, startsOn },
    });
  }

  async setQuotaOverrides(organizationId: string, overrides: z.infer<typeof quotaOverridesSchema>): Promise<void> {
    assertStaffScope('organizations:admin');
    assertOrganizationAccess('hosting:read', organizationId);
    const repository = this.db.getRepository(QuotaOverride);
    const before = await this.overridesOf(organizationId);
    for (const [meter, limit] of Object.entries(overrides) as Array<[Meter, number | null]>) {
      if (limit === null) await repository.delete({ organizationId, meter });
      else await repository.upsert({ organizationId, meter, limit }, ['organizationId', 'meter']);
    }
    await this.audit.record({
      action: 'organization.quota_overrides',
      targetType: 'organization',
      targetId: organizationId,
      organizationId,
      before,
      after: await this.overridesOf(organizationId),
    });
  }

  async overridesOf(organizationId: string): Promise<Record<string, number>> {
    const rows = await this.db.getRepository(QuotaOverride).findBy({ organizationId });
    return Object.fromEntries(rows.map((row) => [row.meter, row.limit]));
  }

  async profile(organizationId: string) {
    assertOrganizationAccess('hosting:read', organizationId);
    const subscription = await this.currentSubscription(organizationId);
    const plan = subscription ? await this.get(subscription.planId) : null;
    return {
      organizationId,
      prefix: await this.prefixOf(organizationId),
      plan: plan ? await this.toDto(plan) : null,
      subscription: subscription ? { planId: subscription.planId, startsOn: subscription.startsOn } : null,
      quotaOverrides: await this.overridesOf(organizationId),
      placement: (await this.servers.placementOf(organizationId)) as Record<string, string>,
      nameservers: this.settings.nameservers,
    };
  }
}

function quotaColumns(quotas: Partial<Record<Meter, number>>): Partial<Plan> {
  const columns: Record<string, number> = {};
  for (const meter of METERS) {
    if (quotas[meter] !== undefined) columns[PLAN_QUOTA_PROPERTY[meter]] = quotas[meter]!;
  }
  return columns as Partial<Plan>;
}
