import { Controller, Get, Res } from '@nestjs/common';
import { apiPath, Authorize, Doc, ValidQuery } from '@ruche/core';
import { centsToDecimal, csvOr, toCsv, withDecimals } from '@ruche/accounting';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CONTRACT_KINDS } from '../contracts/contract.entity.js';
import { CRITERIA } from '../eligibility/eligibility.js';
import { csvFormat, isoDate, spanQuery } from '../shared/schemas.js';
import { WORKER_STATUSES } from '../workers/worker.entity.js';
import { ReportsService } from './reports.service.js';

const criterion = <F extends z.ZodType>(figure: F) => z.object({ figure, required: z.number(), met: z.boolean(), waived: z.boolean().describe('not met, but an exception waives it') });
const eligibilitySchema = z.object({
  date: z.string(),
  from: z.string(),
  to: z.string(),
  months: z.array(z.string()),
  atRisk: z.array(z.string()).describe('workers under 20 hours of work over the two months: warned'),
  committees: z.record(z.string(), z.string()).describe('codes of the committees named, by id'),
  workers: z.array(
    z.object({
      workerId: z.string(),
      displayName: z.string(),
      status: z.enum(WORKER_STATUSES),
      committees: criterion(z.number()).extend({ committeeIds: z.array(z.string()) }),
      reflectionMeetings: criterion(z.number()),
      monthlyHours: criterion(z.array(z.object({ month: z.string(), hours: z.string(), met: z.boolean() }))).extend({ requiredHours: z.string() }),
      totalWorkHours: z.string(),
      eligible: z.boolean(),
      atRisk: z.boolean(),
      exceptions: z.array(z.object({ id: z.string(), from: z.string(), to: z.string(), criteria: z.array(z.enum(CRITERIA)), reason: z.string(), grantedBy: z.string(), decidedOn: z.string() })),
    }),
  ),
});

const paySchema = z.object({
  from: z.string(),
  to: z.string(),
  workers: z.array(
    z.object({
      workerId: z.string(),
      displayName: z.string(),
      status: z.enum(WORKER_STATUSES).nullable(),
      segments: z.array(z.object({ effectiveFrom: z.string(), hourlyRate: z.string(), minutes: z.number(), hours: z.string(), amount: z.string() })).describe('hours at each co-op rate in force, × that rate'),
      minutes: z.number(),
      hours: z.string(),
      amount: z.string(),
      pendingHours: z.string().describe('not approved yet: not paid'),
      volunteerHours: z.string(),
      contractShareHours: z.string().describe('a freelancer’s hours on a contract they brought: paid by their part of it'),
      unratedHours: z.string().describe('days before any co-op rate'),
    }),
  ),
  total: z.object({ hours: z.string(), amount: z.string() }),
});

const hoursSchema = z.object({ data: z.array(z.object({ workerId: z.string(), displayName: z.string(), month: z.string(), workHours: z.string(), meetingHours: z.string(), billableHours: z.string(), volunteerHours: z.string(), totalHours: z.string() })) });
const unpaidSchema = z.object({ data: z.array(z.object({ workerId: z.string(), displayName: z.string(), volunteerHours: z.string(), months: z.array(z.object({ month: z.string(), volunteerHours: z.string() })) })) });
const contractsSchema = z.object({
  data: z.array(
    z.object({
      contractId: z.string(),
      name: z.string(),
      kind: z.enum(CONTRACT_KINDS),
      organizationId: z.string().nullable(),
      status: z.enum(['open', 'closed']),
      budgetHours: z.string().nullable(),
      budget: z.string().nullable(),
      recordedHours: z.string(),
      approvedHours: z.string(),
      percentOfBudgetHours: z.number().nullable(),
      billableHours: z.string(),
      billedHours: z.string(),
      overCapHours: z.string(),
      revenue: z.string(),
      wageCost: z.string().describe('the work’s cost at the co-op rate'),
      broughtById: z.string().nullable(),
      coopSharePercent: z.string().nullable(),
      coopShare: z.string(),
      freelancerShare: z.string(),
    }),
  ),
});

const workerSpan = spanQuery.and(z.object({ workerId: z.uuid().optional() }));

/** Every worker reads these (the co-op's transparency), as JSON or CSV. */
@Controller(apiPath('reports'))
export class TimekeepingReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('eligibility')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Work-committee eligibility at a date (default today): over the two calendar months before, each criterion per worker with its figure, who is at risk, exceptions honoured (JSON or CSV)', tags: ['timekeeping reports'], response: eligibilitySchema })
  async eligibility(@ValidQuery(z.strictObject({ date: isoDate.optional(), format: csvFormat })) query: { date?: string; format: 'json' | 'csv' }, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.eligibility(query.date);
    return csvOr(reply, query.format, `eligibility-${report.date}`, () => report, () =>
      toCsv(
        ['worker_id', 'worker', 'status', 'committees', 'committees_met', 'reflection_meetings', 'reflection_meetings_met', `hours_${report.months[0]}`, `hours_${report.months[1]}`, 'monthly_hours_met', 'total_work_hours', 'exceptions', 'eligible', 'at_risk'],
        report.workers.map((w) => [
          w.workerId,
          w.displayName,
          w.status,
          w.committees.figure,
          w.committees.met ? 'yes' : w.committees.waived ? 'waived' : 'no',
          w.reflectionMeetings.figure,
          w.reflectionMeetings.met ? 'yes' : w.reflectionMeetings.waived ? 'waived' : 'no',
          w.monthlyHours.figure[0]!.hours,
          w.monthlyHours.figure[1]!.hours,
          w.monthlyHours.met ? 'yes' : w.monthlyHours.waived ? 'waived' : 'no',
          w.totalWorkHours,
          w.exceptions.map((x) => `${x.reason} (${x.grantedBy}, ${x.decidedOn})`).join('; '),
          w.eligible ? 'yes' : 'no',
          w.atRisk ? 'yes' : 'no',
        ]),
      ),
    );
  }

  @Get('pay')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Pay per worker over a span: approved hours × the co-op rate in force on each entry’s day (JSON or CSV)', tags: ['timekeeping reports'], response: paySchema })
  async pay(@ValidQuery(spanQuery) query: z.infer<typeof spanQuery>, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.reports.pay(query.from, query.to);
    return csvOr(reply, query.format, `pay-${query.from}-${query.to}`, () => withDecimals(report), () =>
      toCsv(
        ['worker_id', 'worker', 'rate_from', 'hourly_rate', 'hours', 'amount', 'pending_hours', 'volunteer_hours', 'contract_share_hours'],
        [
          ...report.workers.flatMap((w) => [
            ...w.segments.map((s) => [w.workerId, w.displayName, s.effectiveFrom, s.hourlyRate, s.hours, centsToDecimal(s.amountCents), '', '', '']),
            [w.workerId, w.displayName, 'total', '', w.hours, centsToDecimal(w.amountCents), w.pendingHours, w.volunteerHours, w.contractShareHours],
          ]),
          ['', 'total', '', '', report.total.hours, centsToDecimal(report.total.amountCents), '', '', ''],
        ],
      ),
    );
  }

  @Get('hours')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Hours per worker per month: work and meetings apart, billable and volunteer hours among them (JSON or CSV)', tags: ['timekeeping reports'], response: hoursSchema })
  async hours(@ValidQuery(workerSpan) query: z.infer<typeof workerSpan>, @Res({ passthrough: true }) reply: FastifyReply) {
    const rows = await this.reports.hours(query.from, query.to, query.workerId);
    return csvOr(reply, query.format, `hours-${query.from}-${query.to}`, () => ({ data: rows }), () =>
      toCsv(['worker_id', 'worker', 'month', 'work_hours', 'meeting_hours', 'billable_hours', 'volunteer_hours', 'total_hours'], rows.map((r) => [r.workerId, r.displayName, r.month, r.workHours, r.meetingHours, r.billableHours, r.volunteerHours, r.totalHours])),
    );
  }

  @Get('unpaid-hours')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Unpaid (volunteer) hours per worker over a span, month by month (JSON or CSV)', tags: ['timekeeping reports'], response: unpaidSchema })
  async unpaid(@ValidQuery(spanQuery) query: z.infer<typeof spanQuery>, @Res({ passthrough: true }) reply: FastifyReply) {
    const rows = await this.reports.unpaidHours(query.from, query.to);
    return csvOr(reply, query.format, `unpaid-hours-${query.from}-${query.to}`, () => ({ data: rows }), () =>
      toCsv(['worker_id', 'worker', 'month', 'volunteer_hours'], rows.flatMap((r) => [...r.months.map((m) => [r.workerId, r.displayName, m.month, m.volunteerHours]), [r.workerId, r.displayName, 'total', r.volunteerHours]])),
    );
  }

  @Get('contracts')
  @Authorize('timekeeping:read')
  @Doc({ summary: 'Contracts’ budget against actual: hours recorded, approved, billed and past the cap, revenue, cost at the co-op rate, the co-op’s share of a freelancer’s contract (JSON or CSV)', tags: ['timekeeping reports'], response: contractsSchema })
  async contracts(@ValidQuery(z.strictObject({ contractId: z.uuid().optional(), status: z.enum(['open', 'closed']).optional(), format: csvFormat })) query: { contractId?: string; status?: 'open' | 'closed'; format: 'json' | 'csv' }, @Res({ passthrough: true }) reply: FastifyReply) {
    const rows = await this.reports.contracts(query);
    return csvOr(reply, query.format, 'contracts', () => ({ data: rows.map(({ budgetCents, ...rest }) => ({ ...withDecimals(rest), budget: budgetCents === null ? null : centsToDecimal(budgetCents) })) }), () =>
      toCsv(
        ['contract_id', 'name', 'kind', 'organization_id', 'status', 'budget_hours', 'budget', 'recorded_hours', 'approved_hours', 'percent_of_budget_hours', 'billable_hours', 'billed_hours', 'over_cap_hours', 'revenue', 'wage_cost', 'coop_share_percent', 'coop_share', 'freelancer_share'],
        rows.map((r) => [r.contractId, r.name, r.kind, r.organizationId, r.status, r.budgetHours, r.budgetCents === null ? '' : centsToDecimal(r.budgetCents), r.recordedHours, r.approvedHours, r.percentOfBudgetHours, r.billableHours, r.billedHours, r.overCapHours, centsToDecimal(r.revenueCents), centsToDecimal(r.wageCostCents), r.coopSharePercent, centsToDecimal(r.coopShareCents), centsToDecimal(r.freelancerShareCents)]),
      ),
    );
  }
}
