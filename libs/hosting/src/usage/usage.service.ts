import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, defineJob, JobHandler, NO_PAYLOAD, TransactionalConnection } from '@ruche/core';

/** Records the day's use of every meter (every night, after the storage measurements). */
export const SAMPLE_USAGE_JOB = defineJob('hosting:sample-usage', NO_PAYLOAD);
import { METERS } from '../plans/meters.js';
import { QuotasService } from '../plans/quotas.service.js';

@Injectable()
export class UsageService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly quotas: QuotasService,
  ) {}

  async current(organizationId: string) {
    assertOrganizationAccess('hosting:read', organizationId);
    const [used, limits] = await Promise.all([this.quotas.usage(organizationId), this.quotas.limits(organizationId)]);
    return { organizationId, meters: METERS.map((meter) => ({ meter, used: used[meter], limit: limits[meter] })) };
  }

  /**
   * Records every organisation's use of every meter for `day`: one row per organisation,
   * meter and day, so running it again that day changes nothing. Billing reads these rows.
   */
  async sampleDay(day: string): Promise<number> {
    const organizations = await this.db.query<{ id: string }>(`SELECT id FROM organizations ORDER BY id`);
    let written = 0;
    for (const { id } of organizations) {
      const used = await this.quotas.usage(id);
      const result = await this.db.query<{ id: string }>(
        `INSERT INTO usage_samples (organization_id, meter, day, quantity)
         SELECT $1, meter, $2::date, quantity FROM unnest($3::text[], $4::bigint[]) AS u(meter, quantity)
         ON CONFLICT (organization_id, meter, day) DO NOTHING RETURNING id`,
        [id, day, [...METERS], METERS.map((meter) => used[meter])],
      );
      written += result.length;
    }
    return written;
  }

  @JobHandler(SAMPLE_USAGE_JOB, { cron: '5 0 * * *' })
  async sampleToday(): Promise<void> {
    await this.sampleDay(new Date().toISOString().slice(0, 10));
  }
}
