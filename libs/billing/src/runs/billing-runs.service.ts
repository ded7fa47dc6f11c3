import { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, defineJob, DomainError, JobHandler, NO_PAYLOAD, type JobPayload, NotFound, newId, Organization, QueueService, TransactionalConnection, type JobInfo } from '@ruche/core';
import { BILLING_SETTINGS, type BillingSettings } from '../billing.settings.js';
import { ACCOUNTS } from '@ruche/accounting';
import { BillingFactsService, type PeriodUsage, type PlanSpan } from '@ruche/hosting';
import { In } from 'typeorm';
import { ProfilesService } from '../customers/profiles.service.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { PostingService } from '../invoices/posting.service.js';
import { exemptionOf, TOTALS_ALIASES, TOTALS_TARGETS, totalsFrom, totalsUnnest, totalsWith, type DocumentTotals } from '../invoices/invoices.service.js';
import { ItemsService } from '../items/items.service.js';
import { TaxRatesService } from '../taxes/tax-rates.service.js';
import { BillingRun } from './billing-run.entity.js';
import { draftLines, type DraftLine, type PendingLine } from './draft-lines.js';
import { addDays, billingPeriod } from './periods.js';

/** Runs (or resumes) a billing run, batch by batch from its cursor. */
export const RUN_JOB = defineJob('billing:run', z.strictObject({ runId: z.uuid() }));
/** Posts a run's drafts, batch by batch. */
export const POST_RUN_JOB = defineJob('billing:post-run', z.strictObject({ runId: z.uuid(), whenClosed: z.enum(['refuse', 'next_open']).default('refuse') }));
/** The monthly run, on the anchor day. */
export const SCHEDULED_RUN_JOB = defineJob('billing:scheduled-run', NO_PAYLOAD);
const BATCH = 500;
const POST_BATCH = 250;

const groupBy = <T extends { organizationId: string }>(rows: T[]) => {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(row.organizationId, [...(map.get(row.organizationId) ?? []), row]);
  return map;
};

/**
 * Billing runs: one draft invoice per organisation for a period, in batches that each commit
 * with the run's progress, so a run over 10,000 organisations shows how far it is and resumes
 * after a crash where it stopped. Posting a run's drafts works the same way.
 */
@Injectable()
export class BillingRunsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
    private readonly facts: BillingFactsService,
    private readonly items: ItemsService,
    private readonly taxRates: TaxRatesService,
    private readonly profiles: ProfilesService,
    private readonly posting: PostingService,
    @Inject(BILLING_SETTINGS.token) private readonly settings: BillingSettings,
  ) {}

  /** Starts the run of a period, or runs it again (which creates only what is missing). */
  async start(period: string): Promise<{ run: BillingRun; repeated: boolean }> {
    assertStaffScope('billing:write');
    return this.open(period);
  }

  /** On each anchor day, the period that just ended is billed (drafts: accountants review and post them). */
  @JobHandler(SCHEDULED_RUN_JOB, { cron: (config) => `0 2 ${BILLING_SETTINGS.of(config).billingAnchorDay} * *` })
  async scheduledRun(): Promise<void> {
    const now = new Date();
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    await this.db.withTransaction(() => this.open(previous.toISOString().slice(0, 7)));
  }

  private async open(period: string): Promise<{ run: BillingRun; repeated: boolean }> {
    const span = billingPeriod(period, this.settings.billingAnchorDay);
    if (!span) throw new DomainError('billing_run_period_invalid', 422);
    const repository = this.db.getRepository(BillingRun);
    const inserted = await this.db.query(
      `INSERT INTO billing_runs (id, period, period_start, period_end, status) VALUES ($1, $2, $3, $4, 'queued') ON CONFLICT (period) DO NOTHING RETURNING id`,
      [newId(), period, span.start, span.end],
    );
    const repeated = inserted.length === 0;
    const run = await repository.createQueryBuilder('r').setLock('pessimistic_write').where('r.period = :period', { period }).getOneOrFail();
    if (run.status === 'completed' || run.status === 'failed') {
      await repository.update(
        { id: run.id },
        { status: 'queued', passes: run.passes + 1, cursor: null, organizationsDone: 0, organizationsTotal: 0, invoicesCreated: 0, alreadyInvoiced: 0, lastError: null, startedAt: null, finishedAt: null },
      );
    }
    // Also while it runs: a run whose worker gave up is picked up again (a second job waits on the run's lock).
    await this.queue.enqueue(RUN_JOB, { runId: run.id }, { jobKey: `billing-run:${run.id}`, maxAttempts: 25 });
    await this.audit.record({ action: repeated ? 'billing_run.repeat' : 'billing_run.start', targetType: 'billing_run', targetId: run.id, after: { period } });
    return { run: await repository.findOneByOrFail({ id: run.id }), repeated };
  }

  async get(id: string): Promise<BillingRun> {
    assertStaffScope('billing:read');
    const run = await this.db.getRepository(BillingRun).findOneBy({ id });
    if (!run) throw new NotFound();
    return run;
  }

  async list(): Promise<BillingRun[]> {
    assertStaffScope('billing:read');
    return this.db.getRepository(BillingRun).find({ order: { period: 'DESC' }, take: 200 });
  }

  @JobHandler(RUN_JOB)
  async runJob(payload: JobPayload<typeof RUN_JOB>, job: JobInfo): Promise<void> {
    try {
      await this.continueRun(payload.runId);
    } catch (error) {
      // Retried from its cursor; `failed` once the queue gives up (asking again starts it anew).
      await this.db.getRepository(BillingRun).update(
        { id: payload.runId },
        { lastError: (error as Error).message.slice(0, 1000), ...(job.attempts >= job.maxAttempts ? { status: 'failed' as const } : {}) },
      );
      throw error;
    }
  }

  /**
   * Works through the run's organisations from its cursor on, one committed batch at a time.
   * `maxBatches` stops early (a test stands in for a crash with it).
   */
  async continueRun(runId: string, options: { batchSize?: number; maxBatches?: number } = {}): Promise<BillingRun> {
    const batchSize = options.batchSize ?? BATCH;
    for (let batches = 0; batches < (options.maxBatches ?? Infinity); batches++) {
      const finished = await this.db.withTransaction(async () => {
        // Held to the batch's commit: two workers never bill one run at once.
        const run = await this.db.getRepository(BillingRun).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :runId', { runId }).getOne();
        if (!run || run.status === 'completed') return true;
        if (run.status !== 'running') {
          await this.db.getRepository(BillingRun).update(
            { id: runId },
            { status: 'running', startedAt: run.startedAt ?? new Date(), organizationsTotal: await this.countCandidates(run) },
          );
        }
        const organizationIds = await this.candidates(run, batchSize);
        if (organizationIds.length === 0) {
          await this.db.getRepository(BillingRun).update({ id: runId }, { status: 'completed', finishedAt: new Date() });
          return true;
        }
        const { created, existing } = await this.billOrganizations(run, organizationIds);
        await this.db.query(
          `UPDATE billing_runs SET cursor = $2, organizations_done = organizations_done + $3, invoices_created = invoices_created + $4, already_invoiced = already_invoiced + $5, updated_at = now() WHERE id = $1`,
          [runId, organizationIds[organizationIds.length - 1], organizationIds.length, created, existing],
        );
        return false;
      });
      if (finished) break;
    }
    return this.db.getRepository(BillingRun).findOneByOrFail({ id: runId });
  }

  /** The next organisations to bill after the cursor: those subscribed in the period, and those with lines waiting. */
  private async candidates(run: BillingRun, limit: number): Promise<string[]> {
    const subscribed = await this.facts.subscribedOrganizations(run.periodStart, run.periodEnd, run.cursor, limit);
    const waiting = await this.db.query<{ organization_id: string }>(
      `SELECT DISTINCT organization_id FROM billable_lines
        WHERE invoice_line_id IS NULL AND service_date < $1 AND ($2::uuid IS NULL OR organization_id > $2)
        ORDER BY organization_id LIMIT $3`,
      [run.periodEnd, run.cursor, limit],
    );
    return [...new Set([...subscribed, ...waiting.map((row) => row.organization_id)])].sort().slice(0, limit);
  }

  private async countCandidates(run: BillingRun): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(DISTINCT organization_id)::int AS n FROM billable_lines WHERE invoice_line_id IS NULL AND service_date < $1`,
      [run.periodEnd],
    );
    // Organisations in both lists are counted twice: the total is an upper bound for progress.
    return (await this.facts.countSubscribedOrganizations(run.periodStart, run.periodEnd)) + (row?.n ?? 0);
  }

  /** Drafts for a batch of organisations, skipping those already invoiced for the period. Answers what it created. */
  private async billOrganizations(run: BillingRun, organizationIds: string[]): Promise<{ created: number; existing: number }> {
    const invoiced = new Set(
      (await this.db.query<{ organization_id: string }>(`SELECT organization_id FROM invoices WHERE billing_period = $1 AND organization_id = ANY($2::uuid[])`, [run.period, organizationIds])).map(
        (row) => row.organization_id,
      ),
    );
    const todo = organizationIds.filter((id) => !invoiced.has(id));
    if (todo.length === 0) return { created: 0, existing: invoiced.size };
    const period = { period: run.period, start: run.periodStart, end: run.periodEnd };
    const issueDate = addDays(run.periodEnd, -1);
    // One query per kind of fact for the whole batch (one connection: in turn, not at once).
    const organizations = await this.db.getRepository(Organization).findBy({ id: In(todo) });
    const profiles = await this.profiles.profilesOf(todo);
    const spans = await this.facts.planSpans(todo, run.periodStart, run.periodEnd);
    const usage = await this.facts.periodUsage(todo, run.periodStart, run.periodEnd);
    const meterPrices = await this.items.meterPrices(run.periodStart);
    const rates = await this.taxRates.ratesOn(issueDate);
    const pending = await this.pendingLines(todo, run.periodEnd);
    const spansOf = groupBy<PlanSpan>(spans);
    const usageOf = groupBy<PeriodUsage>(usage);
    const pendingOf = groupBy(pending);
    const invoices: Array<DocumentTotals & { id: string; organizationId: string; customerName: string; locale: string; issueDate: string; dueDate: string }> = [];
    const lines: Array<DraftLine & { invoiceId: string; position: number; id: string }> = [];
    for (const organization of organizations) {
      const drafted = draftLines({
        period,
        locale: organization.locale,
        spans: spansOf.get(organization.id) ?? [],
        usage: usageOf.get(organization.id) ?? [],
        meterPrices,
        pending: pendingOf.get(organization.id) ?? [],
        hostingAccount: ACCOUNTS.hostingRevenue,
      });
      if (drafted.length === 0) continue;
      const id = newId();
      invoices.push({
        id,
        organizationId: organization.id,
        customerName: organization.name,
        locale: organization.locale,
        issueDate,
        dueDate: addDays(issueDate, this.settings.invoiceDueDays),
        ...totalsWith(drafted, rates, exemptionOf(profiles.get(organization.id))),
      });
      drafted.forEach((line, index) => lines.push({ ...line, id: newId(), invoiceId: id, position: index + 1 }));
    }
    if (invoices.length === 0) return { created: 0, existing: invoiced.size };
    const column = <K extends keyof (typeof invoices)[number]>(key: K) => invoices.map((invoice) => invoice[key]);
    const totals = totalsUnnest(invoices, 9);
    // ON CONFLICT: a concurrent pass that got there first keeps its invoice; lines follow only ours.
    const created = await this.db.query<{ id: string }>(
      `INSERT INTO invoices (id, organization_id, kind, status, issue_date, due_date, billing_run_id, billing_period, customer_name, locale, ${TOTALS_TARGETS})
       SELECT u.id, u.organization_id, 'invoice', 'draft', u.issue_date, u.due_date, $1, $2, u.customer_name, u.locale, ${totalsFrom('u')}
         FROM unnest($3::uuid[], $4::uuid[], $5::date[], $6::date[], $7::text[], $8::text[], ${totals.sql})
           AS u(id, organization_id, issue_date, due_date, customer_name, locale, ${TOTALS_ALIASES})
       ON CONFLICT (organization_id, billing_period) WHERE billing_period IS NOT NULL DO NOTHING
       RETURNING id`,
      [run.id, run.period, column('id'), column('organizationId'), column('issueDate'), column('dueDate'), column('customerName'), column('locale'), ...totals.parameters],
    );
    const ours = new Set(created.map((row) => row.id));
    const kept = lines.filter((line) => ours.has(line.invoiceId));
    const field = <K extends keyof (typeof kept)[number]>(key: K) => kept.map((line) => line[key]);
    await this.db.query(
      `INSERT INTO invoice_lines (id, invoice_id, position, kind, description, quantity, unit_price, amount_cents, tax_code, account_code, period_start, period_end, item_code, source_kind, source_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::bigint[], $9::text[], $10::text[], $11::date[], $12::date[], $13::text[], $14::text[], $15::text[])`,
      [
        field('id'),
        field('invoiceId'),
        field('position'),
        field('kind'),
        field('description'),
        field('quantity'),
        field('unitPrice'),
        field('amountCents'),
        field('taxCode'),
        field('accountCode'),
        field('periodStart'),
        field('periodEnd'),
        field('itemCode'),
        field('sourceKind'),
        field('sourceId'),
      ],
    );
    // Lines from elsewhere are billed by the line that now carries their source, in this transaction.
    await this.db.query(
      `UPDATE billable_lines b SET invoice_line_id = l.id FROM invoice_lines l
        WHERE l.invoice_id = ANY($1::uuid[]) AND l.source_kind = b.source_kind AND l.source_id = b.source_id`,
      [[...ours]],
    );
    return { created: ours.size, existing: invoiced.size };
  }

  /** Lines waiting for these organisations, locked until the batch commits (a withdrawal waits, then finds them billed). */
  private async pendingLines(organizationIds: string[], periodEnd: string): Promise<Array<PendingLine & { organizationId: string }>> {
    const rows = await this.db.query<{ id: string; organization_id: string; source_kind: string; source_id: string; description_fr: string; description_en: string; quantity: string; unit_price: string; tax_code: PendingLine['taxCode']; account_code: string; service_date: string }>(
      `SELECT id, organization_id, source_kind, source_id, description_fr, description_en, quantity, unit_price, tax_code, account_code, service_date::text
         FROM billable_lines WHERE organization_id = ANY($1::uuid[]) AND invoice_line_id IS NULL AND service_date < $2
        ORDER BY organization_id, service_date, id FOR UPDATE`,
      [organizationIds, periodEnd],
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      sourceKind: row.source_kind,
      sourceId: row.source_id,
      descriptionFr: row.description_fr,
      descriptionEn: row.description_en,
      quantity: row.quantity,
      unitPrice: row.unit_price,
      taxCode: row.tax_code,
      accountCode: row.account_code,
      serviceDate: row.service_date,
    }));
  }

  /** Posts every draft of a run, in the background, in committed batches. */
  async postRun(runId: string, whenClosed: 'refuse' | 'next_open'): Promise<BillingRun> {
    assertStaffScope('billing:write');
    const run = await this.get(runId);
    await this.db.getRepository(BillingRun).update({ id: runId }, { postingStatus: 'queued' });
    await this.queue.enqueue(POST_RUN_JOB, { runId, whenClosed }, { jobKey: `billing-post-run:${runId}`, maxAttempts: 25 });
    await this.audit.record({ action: 'billing_run.post', targetType: 'billing_run', targetId: runId, after: { period: run.period } });
    return this.db.getRepository(BillingRun).findOneByOrFail({ id: runId });
  }

  @JobHandler(POST_RUN_JOB)
  async postRunJob(payload: JobPayload<typeof POST_RUN_JOB>, job: JobInfo): Promise<void> {
    try {
      await this.continuePosting(payload.runId, payload.whenClosed);
    } catch (error) {
      await this.db.getRepository(BillingRun).update(
        { id: payload.runId },
        { lastError: (error as Error).message.slice(0, 1000), ...(job.attempts >= job.maxAttempts ? { postingStatus: 'failed' as const } : {}) },
      );
      throw error;
    }
  }

  async continuePosting(runId: string, whenClosed: 'refuse' | 'next_open'): Promise<BillingRun> {
    for (;;) {
      const finished = await this.db.withTransaction(async () => {
        await this.db.getRepository(BillingRun).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :runId', { runId }).getOne();
        const drafts = await this.db.getRepository(Invoice).find({ select: { id: true }, where: { billingRunId: runId, status: 'draft' }, order: { id: 'ASC' }, take: POST_BATCH });
        if (drafts.length === 0) {
          await this.db.getRepository(BillingRun).update({ id: runId }, { postingStatus: 'completed' });
          return true;
        }
        await this.posting.postDrafts(drafts.map((draft) => draft.id), { whenClosed });
        await this.db.query(`UPDATE billing_runs SET posting_status = 'running', invoices_posted = invoices_posted + $2, updated_at = now() WHERE id = $1`, [runId, drafts.length]);
        return false;
      });
      if (finished) break;
    }
    return this.db.getRepository(BillingRun).findOneByOrFail({ id: runId });
  }
}
