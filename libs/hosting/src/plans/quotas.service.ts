import { Injectable } from '@nestjs/common';
import { DomainError, TransactionalConnection } from '@ruche/core';
import { METERS, PLAN_QUOTA_PROPERTY, type Meter, type Quotas } from './meters.js';
import { Plan } from './plan.entity.js';
import { QuotaOverride } from './quota-override.entity.js';

/** Thrown when a change would take an organisation over its plan: names the meter, the limit and the use. */
export class QuotaExceeded extends DomainError {
  constructor(meter: Meter, limit: number, used: number, requested: number) {
    super('quota_exceeded', 409, { meter, limit, used, requested }, { meter, limit, used, requested });
  }
}

const MIB = 1024 * 1024;

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
      `SELECT
         (SELECT count(*) FROM domains WHERE organization_id = $1 AND phase <> 'deleting') AS domains,
         (SELECT count(*) FROM sites WHERE organization_id = $1 AND phase <> 'deleting') AS sites,
         (SELECT count(*) FROM mailboxes WHERE organization_id = $1 AND phase <> 'deleting') AS mailboxes,
         (SELECT coalesce(sum(quota_mb), 0) FROM mailboxes WHERE organization_id = $1 AND phase <> 'deleting') AS mail_storage_mb,
         (SELECT count(*) FROM databases WHERE organization_id = $1 AND phase <> 'deleting') AS databases,
         (SELECT coalesce(sum(storage_bytes), 0) FROM databases WHERE organization_id = $1 AND phase <> 'deleting') AS database_storage_bytes,
         (SELECT coalesce(sum(storage_bytes), 0) FROM sites WHERE organization_id = $1 AND phase <> 'deleting') AS web_storage_bytes`,
      [organizationId],
    );
    return {
      domains: Number(row!.domains),
      sites: Number(row!.sites),
      mailboxes: Number(row!.mailboxes),
      mail_storage_mb: Number(row!.mail_storage_mb),
      databases: Number(row!.databases),
      database_storage_mb: Math.ceil(Number(row!.database_storage_bytes) / MIB),
      web_storage_mb: Math.ceil(Number(row!.web_storage_bytes) / MIB),
    };
  }

  /**
   * Refuses `amounts` more of each meter when that would pass the limit. The caller holds the
   * organisation's lock (DesiredStateService.lockOrganization), so the count cannot go stale.
   */
  async assertRoom(organizationId: string, amounts: Partial<Quotas>): Promise<void> {
    const [limits, usage] = await Promise.all([this.limits(organizationId), this.usage(organizationId)]);
    for (const [meter, amount] of Object.entries(amounts) as Array<[Meter, number]>) {
      if (amount > 0 && usage[meter] + amount > limits[meter]) throw new QuotaExceeded(meter, limits[meter], usage[meter], amount);
    }
  }
}

export function planQuotas(plan: Plan): Quotas {
  return Object.fromEntries(METERS.map((meter) => [meter, plan[PLAN_QUOTA_PROPERTY[meter]]])) as Quotas;
}
