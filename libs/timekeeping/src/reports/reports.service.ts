import { Inject, Injectable } from '@nestjs/common';
import { NotFound, TransactionalConnection } from '@ruche/core';
import { In } from 'typeorm';
import { Committee } from '../committees/committee.entity.js';
import { Contract, type ContractKind } from '../contracts/contract.entity.js';
import { EligibilityExceptionRow } from '../eligibility/eligibility-exception.entity.js';
import { eligibilityOf, eligibilityWindow, type Eligibility } from '../eligibility/eligibility.js';
import { payOf, rateOn, type Pay } from '../rates/pay.js';
import { COOP_RATES, PAY_KIND, RATE_JOIN } from '../rates/pay-sql.js';
import { RatesService } from '../rates/rates.service.js';
import { assertReader } from '../shared/access.js';
import { Decimal, hoursText, lineAmountCents, shareCents } from '../shared/decimal.js';
import { WorkersService } from '../workers/workers.service.js';
import { todayIn } from '../shared/dates.js';
import { TIMEKEEPING_SETTINGS, type TimekeepingSettings } from '../timekeeping.settings.js';
import type { WorkerStatus } from '../workers/worker.entity.js';

export interface WorkerPay extends Pay {
  workerId: string;
  displayName: string;
  status: WorkerStatus | null;
  pendingHours: string;
  volunteerHours: string;
  contractShareHours: string;
  unratedHours: string;
}

export interface EligibilityRow extends Eligibility {
  workerId: string;
  displayName: string;
  status: WorkerStatus;
}

export interface HoursRow {
  workerId: string;
  displayName: string;
  month: string;
  workHours: string;
  meetingHours: string;
  billableHours: string;
  volunteerHours: string;
  totalHours: string;
}

export interface ContractReport {
  contractId: string;
  name: string;
  kind: ContractKind;
  organizationId: string | null;
  status: 'open' | 'closed';
  budgetHours: string | null;
  budgetCents: number | null;
  recordedHours: string;
  approvedHours: string;
  percentOfBudgetHours: number | null;
  billableHours: string;
  billedHours: string;
  overCapHours: string;
  revenueCents: number;
  wageCostCents: number;
  broughtById: string | null;
  coopSharePercent: string | null;
  coopShareCents: number;
  freelancerShareCents: number;
}

/** Reports every worker reads: hours, pay, contracts' budget against actual, volunteer hours, work-committee eligibility. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly workers: WorkersService,
    private readonly rates: RatesService,
    @Inject(TIMEKEEPING_SETTINGS.token) private readonly settings: TimekeepingSettings,
  ) {}

  /** Pay per worker over a span: approved paid hours × the co-op rate in force on each entry's day. */
  async pay(from: string, to: string): Promise<{ from: string; to: string; workers: WorkerPay[]; total: { hours: string; amountCents: number } }> {
    assertReader();
    const rows = await this.db.query<{ worker_id: string; kind: 'wage' | 'pending' | 'volunteer' | 'share'; effective_from: string | null; hourly_rate: string | null; minutes: number }>(
      `WITH coop_rates AS (${COOP_RATES})
       SELECT e.worker_id, ${PAY_KIND} AS kind, r.effective_from::text, r.hourly_rate::text, sum(e.minutes)::int AS minutes
         FROM time_entries e LEFT JOIN contracts c ON c.id = e.contract_id ${RATE_JOIN}
        WHERE e.work_date BETWEEN $1 AND $2
        GROUP BY 1, 2, 3, 4`,
      [from, to],
    );
    const byWorker = new Map<string, typeof rows>();
    for (const row of rows) byWorker.set(row.worker_id, [...(byWorker.get(row.worker_id) ?? []), row]);
    const ids = [...byWorker.keys()].sort();
    const names = await this.workers.names(ids);
    const statuses = await this.statuses(ids);
    const minutesOf = (list: typeof rows, test: (row: (typeof rows)[number]) => boolean) => list.filter(test).reduce((sum, row) => sum + row.minutes, 0);
    const workers = ids.map((workerId): WorkerPay => {
      const list = byWorker.get(workerId)!;
      const pay = payOf(list.filter((row) => row.kind === 'wage' && row.hourly_rate !== null).map((row) => ({ effectiveFrom: row.effective_from!, hourlyRate: row.hourly_rate!, minutes: row.minutes })));
      return {
        workerId,
        displayName: names.get(workerId) ?? '',
        status: statuses.get(workerId) ?? null,
        ...pay,
        pendingHours: hoursText(minutesOf(list, (row) => row.kind === 'pending')),
        volunteerHours: hoursText(minutesOf(list, (row) => row.kind === 'volunteer')),
        contractShareHours: hoursText(minutesOf(list, (row) => row.kind === 'share')),
        unratedHours: hoursText(minutesOf(list, (row) => row.kind === 'wage' && row.hourly_rate === null)),
      };
    });
    const minutes = workers.reduce((sum, worker) => sum + worker.minutes, 0);
    return { from, to, workers, total: { hours: hoursText(minutes), amountCents: workers.reduce((sum, worker) => sum + worker.amountCents, 0) } };
  }

  /**
   * Eligibility for the work committee at a date (the monthly reflection meeting): everyone who
   * may record time (workers who left excepted), each criterion with its figure over the two calendar months before, exceptions honoured.
   */
  async eligibility(at?: string): Promise<{ date: string; from: string; to: string; months: [string, string]; workers: EligibilityRow[]; atRisk: string[]; committees: Record<string, string> }> {
    assertReader();
    const date = at ?? todayIn(this.settings.timeZone);
    const window = eligibilityWindow(date);
    const rows = await this.db.query<{ worker_id: string; status: WorkerStatus; committee_ids: string[]; reflections: number; first_month: number; second_month: number }>(
      `WITH e AS (SELECT worker_id, work_date, category, committee_id, minutes FROM time_entries WHERE work_date BETWEEN $1 AND $2),
            meetings AS (SELECT worker_id, array_agg(committee_id ORDER BY committee_id) AS ids
                           FROM (SELECT worker_id, committee_id FROM e WHERE category = 'committee_meeting' GROUP BY 1, 2 HAVING sum(minutes) > 0) m GROUP BY 1),
            reflections AS (SELECT worker_id, count(*)::int AS days
                              FROM (SELECT worker_id, work_date FROM e WHERE category = 'reflection_meeting' GROUP BY 1, 2 HAVING sum(minutes) > 0) r GROUP BY 1),
            work AS (SELECT worker_id, coalesce(sum(minutes) FILTER (WHERE work_date < $3), 0)::int AS first_month, coalesce(sum(minutes) FILTER (WHERE work_date >= $3), 0)::int AS second_month
                       FROM e WHERE category IN ('work', 'training') GROUP BY 1)
       SELECT p.id AS worker_id, coalesce(w.status, 'member') AS status, coalesce(m.ids, '{}') AS committee_ids, coalesce(r.days, 0) AS reflections, coalesce(k.first_month, 0) AS first_month, coalesce(k.second_month, 0) AS second_month
         FROM unnest($4::uuid[]) AS p(id) LEFT JOIN workers w ON w.id = p.id
              LEFT JOIN meetings m ON m.worker_id = p.id LEFT JOIN reflections r ON r.worker_id = p.id LEFT JOIN work k ON k.worker_id = p.id
        ORDER BY p.id`,
      // Everyone who may record time, also those who recorded nothing yet (they are the first at risk).
      [window.from, window.to, `${window.months[1]}-01`, await this.workers.currentWorkerIds()],
    );
    const exceptions = await this.db
      .getRepository(EligibilityExceptionRow)
      .createQueryBuilder('x')
      .where('x.fromDate <= :to AND x.toDate >= :from', { from: window.from, to: window.to })
      .orderBy('x.id')
      .getMany();
    const names = await this.workers.names(rows.map((row) => row.worker_id));
    const workers = rows.map((row): EligibilityRow => ({
      workerId: row.worker_id,
      displayName: names.get(row.worker_id) ?? '',
      status: row.status,
      ...eligibilityOf(
        { committeeIds: row.committee_ids, reflectionMeetings: row.reflections, workMinutes: [row.first_month, row.second_month] },
        window,
        exceptions.filter((x) => x.workerId === row.worker_id).map((x) => ({ id: x.id, from: x.fromDate, to: x.toDate, criteria: x.criteria, reason: x.reason, grantedBy: x.grantedBy, decidedOn: x.decidedOn })),
      ),
    }));
    const committeeIds = [...new Set(workers.flatMap((worker) => worker.committees.committeeIds))];
    const committees = committeeIds.length ? await this.db.getRepository(Committee).find({ select: { id: true, code: true }, where: { id: In(committeeIds) } }) : [];
    return { date, ...window, workers, atRisk: workers.filter((worker) => worker.atRisk).map((worker) => worker.workerId), committees: Object.fromEntries(committees.map((c) => [c.id, c.code])) };
  }

  /** Hours per worker per month: work (training included) and meetings apart, billable and volunteer among them. */
  async hours(from: string, to: string, workerId?: string): Promise<HoursRow[]> {
    assertReader();
    const rows = await this.db.query<{ worker_id: string; month: string; work: number; meetings: number; billable: number; volunteer: number; total: number }>(
      `SELECT worker_id, to_char(work_date, 'YYYY-MM') AS month,
              coalesce(sum(minutes) FILTER (WHERE category IN ('work', 'training')), 0)::int AS work,
              coalesce(sum(minutes) FILTER (WHERE category IN ('committee_meeting', 'reflection_meeting')), 0)::int AS meetings,
              coalesce(sum(minutes) FILTER (WHERE billable), 0)::int AS billable,
              coalesce(sum(minutes) FILTER (WHERE volunteer), 0)::int AS volunteer,
              sum(minutes)::int AS total
         FROM time_entries WHERE work_date BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR worker_id = $3)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to, workerId ?? null],
    );
    const names = await this.workers.names(rows.map((row) => row.worker_id));
    return rows.map((row) => ({
      workerId: row.worker_id,
      displayName: names.get(row.worker_id) ?? '',
      month: row.month,
      workHours: hoursText(row.work),
      meetingHours: hoursText(row.meetings),
      billableHours: hoursText(row.billable),
      volunteerHours: hoursText(row.volunteer),
      totalHours: hoursText(row.total),
    }));
  }

  /** Unpaid (volunteer) hours per worker over a span, month by month. */
  async unpaidHours(from: string, to: string): Promise<Array<{ workerId: string; displayName: string; volunteerHours: string; months: Array<{ month: string; volunteerHours: string }> }>> {
    const rows = (await this.hours(from, to)).filter((row) => row.volunteerHours !== '0.00');
    const byWorker = new Map<string, typeof rows>();
    for (const row of rows) byWorker.set(row.workerId, [...(byWorker.get(row.workerId) ?? []), row]);
    return [...byWorker.entries()].map(([workerId, months]) => ({
      workerId,
      displayName: months[0]!.displayName,
      volunteerHours: months.reduce((sum, month) => sum.plus(month.volunteerHours), new Decimal(0)).toFixed(2),
      months: months.map((month) => ({ month: month.month, volunteerHours: month.volunteerHours })),
    }));
  }

  /**
   * Each contract's budget against what was done: hours recorded, approved, billed and past the
   * cap; revenue (billed lines, or the fixed price); the work's cost at the co-op rate; and, for a
   * contract a freelancer brought, the co-op's share and theirs.
   */
  async contracts(filter: { contractId?: string | undefined; status?: 'open' | 'closed' | undefined }): Promise<ContractReport[]> {
    assertReader();
    const qb = this.db.getRepository(Contract).createQueryBuilder('c').orderBy('c.id');
    if (filter.contractId) qb.andWhere('c.id = :id', { id: filter.contractId });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    const contracts = await qb.getMany();
    if (filter.contractId && contracts.length === 0) throw new NotFound();
    if (contracts.length === 0) return [];
    const ids = contracts.map((contract) => contract.id);
    const hours = new Map(
      (
        await this.db.query<{ contract_id: string; recorded: number; approved: number; billable: number; over_cap: number }>(
          `SELECT contract_id, sum(minutes)::int AS recorded, coalesce(sum(minutes) FILTER (WHERE status = 'approved'), 0)::int AS approved,
                  coalesce(sum(minutes) FILTER (WHERE status = 'approved' AND billable), 0)::int AS billable,
                  coalesce(sum(minutes) FILTER (WHERE billing_state = 'over_cap'), 0)::int AS over_cap
             FROM time_entries WHERE contract_id = ANY($1::uuid[]) GROUP BY 1`,
          [ids],
        )
      ).map((row) => [row.contract_id, row]),
    );
    const lines = await this.db.query<{ contract_id: string; minutes: number; billed_minutes: number; hourly_rate: string }>(`SELECT contract_id, minutes, billed_minutes, hourly_rate::text FROM time_billing_lines WHERE contract_id = ANY($1::uuid[])`, [ids]);
    const cost = await this.db.query<{ contract_id: string; hourly_rate: string | null; minutes: number }>(
      `WITH coop_rates AS (${COOP_RATES})
       SELECT e.contract_id, r.hourly_rate::text, sum(e.minutes)::int AS minutes
         FROM time_entries e JOIN contracts c ON c.id = e.contract_id ${RATE_JOIN}
        WHERE e.contract_id = ANY($1::uuid[]) AND ${PAY_KIND} = 'wage' GROUP BY 1, 2`,
      [ids],
    );
    const rates = await this.rates.contractRates(ids);
    const today = todayIn(this.settings.timeZone);
    return contracts.map((contract): ContractReport => {
      const h = hours.get(contract.id) ?? { recorded: 0, approved: 0, billable: 0, over_cap: 0 };
      const mine = lines.filter((line) => line.contract_id === contract.id);
      const billed = mine.reduce((sum, line) => sum + line.billed_minutes, 0);
      const revenueCents = contract.kind === 'fixed_price' ? contract.fixedPriceCents! : mine.reduce((sum, line) => sum + lineAmountCents(line.billed_minutes, line.hourly_rate), 0);
      const wageCostCents = cost.filter((row) => row.contract_id === contract.id && row.hourly_rate !== null).reduce((sum, row) => sum + new Decimal(row.minutes).times(row.hourly_rate!).dividedBy(60).times(100).toDecimalPlaces(0).toNumber(), 0);
      const budgetHours = contract.kind === 'capped' ? contract.capHours : contract.budgetHours;
      const rate = rateOn(rates.get(contract.id) ?? [], today) ?? (rates.get(contract.id) ?? [])[0] ?? null;
      const budgetCents = contract.kind === 'fixed_price' ? contract.fixedPriceCents : budgetHours !== null && rate ? new Decimal(budgetHours).times(rate.hourlyRate).times(100).toDecimalPlaces(0).toNumber() : null;
      const coopShareCents = contract.broughtById ? shareCents(revenueCents, contract.coopSharePercent) : revenueCents;
      return {
        contractId: contract.id,
        name: contract.name,
        kind: contract.kind,
        organizationId: contract.organizationId,
        status: contract.status,
        budgetHours,
        budgetCents,
        recordedHours: hoursText(h.recorded),
        approvedHours: hoursText(h.approved),
        percentOfBudgetHours: budgetHours === null ? null : new Decimal(h.recorded).dividedBy(new Decimal(budgetHours).times(60)).times(100).toDecimalPlaces(1).toNumber(),
        billableHours: hoursText(h.billable),
        billedHours: hoursText(billed),
        // Entries wholly past the cap, and the part of lines the cap cut.
        overCapHours: hoursText(h.over_cap + mine.reduce((sum, line) => sum + line.minutes - line.billed_minutes, 0)),
        revenueCents,
        wageCostCents,
        broughtById: contract.broughtById,
        coopSharePercent: contract.broughtById ? contract.coopSharePercent : null,
        coopShareCents,
        freelancerShareCents: revenueCents - coopShareCents,
      };
    });
  }

  private async statuses(ids: readonly string[]): Promise<Map<string, WorkerStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; status: WorkerStatus }>(`SELECT id, status FROM workers WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row.status]));
  }
}

