import { Injectable } from '@nestjs/common';
import { AuditService, Conflict, newId, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { payOf, type Pay } from '../rates/pay.js';
import { COOP_RATES, PAY_KIND, RATE_JOIN } from '../rates/pay-sql.js';
import { assertCoordinator, assertReader } from '../shared/access.js';
import { WorkersService } from '../workers/workers.service.js';
import { PayRun } from './pay-run.entity.js';

export interface PayRunView {
  run: PayRun;
  workers: Array<Pay & { workerId: string; displayName: string }>;
}

/**
 * Wages paid: a coordinator records that approved wage hours through a day were paid. The run
 * holds those entries (PostgreSQL then refuses any change to them) and their total at the co-op
 * rate in force on each entry's day. Hours approved later for earlier days go in the next run.
 */
@Injectable()
export class PayRunsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly workers: WorkersService,
  ) {}

  async create(input: { through: string; paidOn: string }): Promise<PayRunView> {
    const actor = assertCoordinator();
    // Shared with new co-op rates: a rate never slips in under wages being paid.
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('timekeeping:coop-rate'))`);
    const rows = await this.db.query<{ id: string; worker_id: string; effective_from: string; hourly_rate: string; minutes: number }>(
      `WITH coop_rates AS (${COOP_RATES})
       SELECT e.id, e.worker_id, r.effective_from::text, r.hourly_rate::text, e.minutes
         FROM time_entries e LEFT JOIN contracts c ON c.id = e.contract_id ${RATE_JOIN}
        WHERE e.work_date <= $1 AND e.pay_run_id IS NULL AND ${PAY_KIND} = 'wage' AND r.hourly_rate IS NOT NULL
        ORDER BY e.id FOR UPDATE OF e`,
      [input.through],
    );
    if (rows.length === 0) throw new Conflict('pay_run_empty', { date: input.through });
    const id = newId();
    const workers = await this.breakdown(rows);
    const totalCents = workers.reduce((sum, worker) => sum + worker.amountCents, 0);
    const minutes = rows.reduce((sum, row) => sum + row.minutes, 0);
    await this.db.getRepository(PayRun).insert({ id, through: input.through, paidOn: input.paidOn, entries: rows.length, minutes, totalCents, createdBy: actor.userId });
    await this.db.query(`UPDATE time_entries SET pay_run_id = $1, updated_at = now() WHERE id = ANY($2::uuid[])`, [id, rows.map((row) => row.id)]);
    await this.audit.record({ action: 'pay_run.create', targetType: 'pay_run', targetId: id, after: { through: input.through, paidOn: input.paidOn, entries: rows.length, minutes, totalCents } });
    return { run: await this.db.getRepository(PayRun).findOneByOrFail({ id }), workers };
  }

  async list(query: PageQuery): Promise<Page<PayRun>> {
    assertReader();
    return paginate(this.db.getRepository(PayRun).createQueryBuilder('p'), query, 'DESC');
  }

  private async breakdown(rows: ReadonlyArray<{ worker_id: string; effective_from: string; hourly_rate: string; minutes: number }>): Promise<PayRunView['workers']> {
    const byWorker = new Map<string, Map<string, { effectiveFrom: string; hourlyRate: string; minutes: number }>>();
    for (const row of rows) {
      const segments = byWorker.get(row.worker_id) ?? new Map();
      const segment = segments.get(row.effective_from) ?? { effectiveFrom: row.effective_from, hourlyRate: row.hourly_rate, minutes: 0 };
      segment.minutes += row.minutes;
      segments.set(row.effective_from, segment);
      byWorker.set(row.worker_id, segments);
    }
    const names = await this.workers.names([...byWorker.keys()]);
    return [...byWorker.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([workerId, segments]) => ({ workerId, displayName: names.get(workerId) ?? '', ...payOf([...segments.values()]) }));
  }
}
