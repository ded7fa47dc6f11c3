import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, currentActor, TransactionalConnection } from '@ruche/core';
import { ClosedPeriod } from './closed-period.entity.js';

@Injectable()
export class PeriodsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<ClosedPeriod[]> {
    assertStaffScope('accounting:read');
    return this.db.getRepository(ClosedPeriod).find({ order: { month: 'ASC' } });
  }

  /** Closes a month for good. Waits for postings in flight into it (see LedgerService.postingDate). */
  async close(month: string): Promise<ClosedPeriod> {
    assertStaffScope('accounting:write');
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('ruche:period:' || $1))`, [month]);
    const inserted = await this.db.query(`INSERT INTO closed_periods (month, closed_by) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING month`, [
      month,
      currentActor()?.userId ?? null,
    ]);
    if (inserted.length === 0) throw new Conflict('period_already_closed', { month: month.slice(0, 7) });
    await this.audit.record({ action: 'period.close', targetType: 'period', targetId: month.slice(0, 7), after: { month: month.slice(0, 7) } });
    return this.db.getRepository(ClosedPeriod).findOneByOrFail({ month });
  }
}
