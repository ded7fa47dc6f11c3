import { Injectable } from '@nestjs/common';
import { DomainError, TransactionalConnection } from '@ruche/core';
import { METERS, PLAN_QUOTA_PROPERTY, type Meter, type Quotas } from './meters.js';
import { Plan } from './plan.entity.js';
import { QuotaOverride } from './quota-override.entity.js';
import { RESOURCE_KINDS } from '../desired-state/resource-kinds.js';

/** Thrown when a change would take an organisation over its plan: names the meter, the limit and the use. */
export class QuotaExceeded extends DomainError {
  constructor(meter: Meter, limit: number, used: number, requested: number) {
    super('quota_exceeded', 409, { meter, limit, used, requested }, { meter, limit, used, requested });
  }
}

/** What an organisation may use (plan, then staff overrides) and what it uses now. */
@Injectable()
export class QuotasService {
  constructor(private readonly db: TransactionalConnection) {}

  async limits(organizationId: string): Promise<Quotas> {
    const [plan] = await this.db.query<Record<string, number>>(
      `SELECT p.* FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.organization_id = $1 AND s.ends_on IS NULL`,
      [organizationId],
    );
    const overrides = await this.db.getRepository(QuotaOverride).findBy({ organizationId });
    const limits = Object.fromEntries(METERS.map((meter) => [meter, plan ? Number(plan[meter]) : 0])) as Quotas;
    for (const override of overrides) limits[override.meter] = override.limit;
    return limits;
  }

  /** Current use of every meter. Resources being deleted no longer count. */
  async usage(organizationId: string): Promise<Quotas> {
    const [row] = await this.db.query<Record<string, string>>(
      `SELECT ${METERS.map((meter) => `${USAGE_SQL[meter]} AS ${meter}`).join(', ')}`,
      [organizationId],
    );
    return Object.fromEntries(METERS.map((meter) => [meter, Number(row![meter])])) as Quotas;
  }

  /**
   * Refuses `amounts` more of each meter when that would pass the limit. The caller holds the
   * organisation's lock (DesiredStateService.lockOrganization), so the count cannot go stale.
   * One round trip: limit (override, else plan) and use of just the meters asked about.
   */
  async assertRoom(organizationId: string, amounts: Partial<Quotas>): Promise<void> {
    const meters = (Object.keys(amounts) as Meter[]).filter((meter) => (amounts[meter] ?? 0) > 0);
    if (meters.length === 0) return;
    const columns = meters.map(
      (meter) =>
        `coalesce((SELECT "limit" FROM quota_overrides WHERE organization_id = $1 AND meter = '${meter}'), plan.${meter}, 0) AS ${meter}_limit, ${USAGE_SQL[meter]} AS ${meter}_used`,
    );
    const [row] = await this.db.query<Record<string, string>>(
      `SELECT ${columns.join(', ')}
         FROM (SELECT 1) one
         LEFT JOIN (SELECT p.* FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.organization_id = $1 AND s.ends_on IS NULL) plan ON true`,
      [organizationId],
    );
    for (const meter of meters) {
      const limit = Number(row![`${meter}_limit`]);
      const used = Number(row![`${meter}_used`]);
      if (used + amounts[meter]! > limit) throw new QuotaExceeded(meter, limit, used, amounts[meter]!);
    }
  }
}

/** Meters that count resources of one kind (from the registry); the others are sums. */
const COUNTED = Object.fromEntries(
  Object.values(RESOURCE_KINDS)
    .filter((kind) => kind.meter !== null)
    .map((kind) => [kind.meter, `(SELECT count(*) FROM ${kind.table} WHERE organization_id = $1 AND phase <> 'deleting')`]),
) as Partial<Record<Meter, string>>;

/** SQL for the current use of each meter, for the organisation in $1 (names come from the code, never from input). */
const USAGE_SQL: Record<Meter, string> = {
  domains: COUNTED.domains!,
  sites: COUNTED.sites!,
  mailboxes: COUNTED.mailboxes!,
  // What mailboxes may hold: each one's quota is reserved when it is made.
  mail_storage_mb: `(SELECT coalesce(sum(quota_mb), 0) FROM mailboxes WHERE organization_id = $1 AND phase <> 'deleting')`,
  databases: COUNTED.databases!,
  database_storage_mb: `(SELECT ceil(coalesce(sum(storage_bytes), 0) / 1048576.0) FROM databases WHERE organization_id = $1 AND phase <> 'deleting')`,
  web_storage_mb: `(SELECT ceil(coalesce(sum(storage_bytes), 0) / 1048576.0) FROM sites WHERE organization_id = $1 AND phase <> 'deleting')`,
};

export function planQuotas(plan: Plan): Quotas {
  return Object.fromEntries(METERS.map((meter) => [meter, plan[PLAN_QUOTA_PROPERTY[meter]]])) as Quotas;
}
