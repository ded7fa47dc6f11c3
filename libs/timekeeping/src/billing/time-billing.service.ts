import { Injectable } from '@nestjs/common';
import { AuditService, defineJob, newId, I18nService, JobHandler, MailService, NO_PAYLOAD, TransactionalConnection, User, type Locale } from '@ruche/core';
import { BillableLinesService, type BillableLineInput } from '@ruche/billing';
import { In, IsNull, Not } from 'typeorm';
import { Contract, ContractTask } from '../contracts/contract.entity.js';
import { rateOn } from '../rates/pay.js';
import { RatesService } from '../rates/rates.service.js';
import { billedHours, hoursText } from '../shared/decimal.js';
import { capLevel, capMinutesOf, planBillingLines } from './billing-plan.js';
import { TimeBillingLine } from './time-billing-line.entity.js';

/** Billing's source kind for lines of approved hours: the source id is the `time_billing_lines` id. */
export const TIME_SOURCE_KIND = 'time';

/** Learns from billing which lines are on an invoice and locks them (and their entries). */
export const SYNC_INVOICED_JOB = defineJob('timekeeping:sync-invoiced', NO_PAYLOAD);
const SYNC_BATCH = 500;

export interface CapWarning {
  code: 'contract_cap_near' | 'contract_cap_reached';
  contractId: string;
  message: string;
  usedHours: string;
  capHours: string;
  percent: number;
}

/**
 * Approved billable time reaches invoices only through billing's `BillableLinesService`: in the
 * transaction that approves entries, each contract's new entries become lines (per month, task
 * and rate; nothing past a cap), recorded here and submitted to billing under the line's id, so
 * handing them over twice bills nothing twice, and billing's runs bill each once even when they
 * repeat or resume after a crash. Once billing has a line on an invoice, the line and its entries
 * are locked (PostgreSQL refuses changes); a scheduled job learns it from billing.
 */
@Injectable()
export class TimeBillingService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly billableLines: BillableLinesService,
    private readonly rates: RatesService,
    private readonly i18n: I18nService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Hands each contract's approved billable entries that are on no line yet to billing, in the
   * caller's transaction (the contract row is locked: two approvals never split a cap between them).
   */
  async submitApproved(contractIds: readonly string[]): Promise<void> {
    for (const contractId of [...new Set(contractIds)].sort()) {
      const contract = await this.db.getRepository(Contract).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :contractId', { contractId }).getOne();
      if (!contract || contract.organizationId === null || (contract.kind !== 'hourly' && contract.kind !== 'capped')) continue;
      const entries = await this.db.query<{ id: string; task_id: string | null; work_date: string; minutes: number; billing_state: string | null }>(
        `SELECT id, task_id, work_date::text, minutes, billing_state FROM time_entries
          WHERE contract_id = $1 AND status = 'approved' AND billable AND billing_line_id IS NULL ORDER BY work_date, id`,
        [contractId],
      );
      const rates = (await this.rates.contractRates([contractId])).get(contractId) ?? [];
      const capMinutes = capMinutesOf(contract.capHours);
      let remaining: number | null = null;
      let cutLines: Array<{ lineId: string; serviceDate: string; cutMinutes: number; line: TimeBillingLine }> = [];
      if (capMinutes !== null) {
        const lines = await this.db.getRepository(TimeBillingLine).find({ where: { contractId }, order: { id: 'ASC' } });
        remaining = capMinutes - lines.reduce((sum, line) => sum + line.billedMinutes, 0);
        cutLines = lines
          .filter((line) => line.supplementsLineId === null)
          .map((line) => ({
            lineId: line.id,
            serviceDate: line.serviceDate,
            line,
            cutMinutes: line.minutes - line.billedMinutes - lines.filter((other) => other.supplementsLineId === line.id).reduce((sum, other) => sum + other.billedMinutes, 0),
          }))
          .filter((cut) => cut.cutMinutes > 0);
      }
      if (entries.length === 0 && (cutLines.length === 0 || remaining === null || remaining <= 0)) continue;
      const plan = planBillingLines(
        entries.map((entry) => ({ id: entry.id, taskId: entry.task_id, workDate: entry.work_date, minutes: entry.minutes, hourlyRate: rateOn(rates, entry.work_date)?.hourlyRate ?? null })),
        remaining,
        cutLines,
      );
      const newlyOverCap = plan.overCap.filter((id) => entries.find((entry) => entry.id === id)!.billing_state !== 'over_cap');
      if (newlyOverCap.length) await this.db.query(`UPDATE time_entries SET billing_state = 'over_cap', updated_at = now() WHERE id = ANY($1::uuid[])`, [newlyOverCap]);
      const supplements = plan.supplements.map((supplement) => {
        const cut = cutLines.find((candidate) => candidate.lineId === supplement.lineId)!.line;
        return { id: newId(), supplementsLineId: cut.id, taskId: cut.taskId, month: cut.month, hourlyRate: cut.hourlyRate, minutes: supplement.billedMinutes, billedMinutes: supplement.billedMinutes, lastDate: cut.serviceDate, entryIds: [] as string[] };
      });
      if (plan.lines.length === 0 && supplements.length === 0) continue;
      const lines = [...supplements, ...plan.lines.map((line) => ({ ...line, id: newId(), supplementsLineId: null }))];
      const taskNames = new Map(
        (await this.db.getRepository(ContractTask).find({ where: { id: In(lines.flatMap((line) => (line.taskId ? [line.taskId] : []))) } })).map((task) => [task.id, task.name]),
      );
      await this.db.getRepository(TimeBillingLine).insert(
        lines.map((line) => ({
          id: line.id,
          contractId,
          taskId: line.taskId,
          organizationId: contract.organizationId!,
          month: line.month,
          minutes: line.minutes,
          billedMinutes: line.billedMinutes,
          hourlyRate: line.hourlyRate,
          serviceDate: line.lastDate,
          supplementsLineId: line.supplementsLineId,
        })),
      );
      await this.db.query(
        `UPDATE time_entries e SET billing_state = 'submitted', billing_line_id = u.line_id, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[]) AS u(entry_id, line_id) WHERE e.id = u.entry_id`,
        [lines.flatMap((line) => line.entryIds), lines.flatMap((line) => line.entryIds.map(() => line.id))],
      );
      await this.billableLines.submit(
        lines.map((line) => this.billableLine(line.id, contract.organizationId!, contract.name, line.taskId ? taskNames.get(line.taskId)! : null, line.month, line.billedMinutes, line.hourlyRate, line.lastDate)),
      );
      await this.audit.record({
        action: 'time_billing.submit',
        targetType: 'contract',
        targetId: contractId,
        organizationId: contract.organizationId,
        after: { lines: lines.map((line) => ({ id: line.id, month: line.month, taskId: line.taskId, hours: billedHours(line.billedMinutes), hourlyRate: line.hourlyRate, entries: line.entryIds.length, supplements: line.supplementsLineId })), overCap: plan.overCap.length },
      });
    }
  }

  /**
   * Takes a line back from billing (an entry on it is un-approved): its entries wait to be handed
   * over again. Answers null when done, or the invoice (number, else id) billing already put it
   * on: then it is marked invoiced here, and nothing is taken back.
   */
  async withdrawLine(lineId: string): Promise<string | null> {
    // A supplement of the line (what a raised cap billed of it) goes back with it, or neither does.
    const lineIds = [lineId, ...(await this.db.getRepository(TimeBillingLine).find({ select: { id: true }, where: { supplementsLineId: lineId } })).map((line) => line.id)];
    const withdrawn = await this.billableLines.withdraw(TIME_SOURCE_KIND, lineIds);
    if (withdrawn < lineIds.length) {
      await this.markInvoiced(lineIds);
      // Billing gave back some: hand them over again (same ids: nothing is billed twice).
      if (withdrawn > 0) await this.resubmit(lineIds);
      const invoiced = await this.db.getRepository(TimeBillingLine).findOneOrFail({ where: { id: In(lineIds), invoicedAt: Not(IsNull()) }, order: { id: 'ASC' } });
      return invoiced.invoiceNumber ?? invoiced.invoiceId!;
    }
    await this.db.query(`UPDATE time_entries SET billing_state = NULL, billing_line_id = NULL, updated_at = now() WHERE billing_line_id = $1`, [lineId]);
    await this.db.getRepository(TimeBillingLine).delete({ id: In(lineIds.slice(1)) });
    await this.db.getRepository(TimeBillingLine).delete({ id: lineId });
    return null;
  }

  /** Hands lines recorded here to billing again (idempotent by their ids). */
  private async resubmit(lineIds: readonly string[]): Promise<void> {
    const lines = await this.db.getRepository(TimeBillingLine).find({ where: { id: In([...lineIds]), invoicedAt: IsNull() } });
    const contracts = new Map((await this.db.getRepository(Contract).findBy({ id: In(lines.map((line) => line.contractId)) })).map((c) => [c.id, c.name]));
    const tasks = new Map((await this.db.getRepository(ContractTask).findBy({ id: In(lines.flatMap((line) => (line.taskId ? [line.taskId] : []))) })).map((t) => [t.id, t.name]));
    await this.billableLines.submit(lines.map((line) => this.billableLine(line.id, line.organizationId, contracts.get(line.contractId)!, line.taskId ? tasks.get(line.taskId)! : null, line.month, line.billedMinutes, line.hourlyRate, line.serviceDate)));
  }

  private billableLine(id: string, organizationId: string, contract: string, task: string | null, month: string, billedMinutes: number, hourlyRate: string, serviceDate: string): BillableLineInput {
    return {
      organizationId,
      sourceKind: TIME_SOURCE_KIND,
      sourceId: id,
      description: { fr: this.describe('fr', contract, task, month), en: this.describe('en', contract, task, month) },
      quantity: billedHours(billedMinutes),
      unitPrice: hourlyRate,
      serviceDate,
    };
  }

  /** Asks billing where these lines stand and locks those on an invoice. Answers how many it locked. */
  async markInvoiced(lineIds: readonly string[]): Promise<number> {
    if (lineIds.length === 0) return 0;
    const invoiced = (await this.billableLines.states(TIME_SOURCE_KIND, [...lineIds])).filter((state) => state.state === 'invoiced');
    if (invoiced.length === 0) return 0;
    const updated = await this.db.query(
      `UPDATE time_billing_lines l SET invoiced_at = coalesce(l.invoiced_at, now()), invoice_id = u.invoice_id, invoice_number = u.invoice_number
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(line_id, invoice_id, invoice_number)
        WHERE l.id = u.line_id AND (l.invoice_id IS DISTINCT FROM u.invoice_id OR l.invoice_number IS DISTINCT FROM u.invoice_number) RETURNING l.id`,
      [invoiced.map((state) => state.sourceId), invoiced.map((state) => state.invoiceId), invoiced.map((state) => state.invoiceNumber)],
    );
    return updated.length;
  }

  /** Lines billing has put on an invoice, asked now (not recorded: the job records it). */
  async invoicedNow(lineIds: readonly string[]): Promise<Map<string, { invoicedAt: Date; invoiceId: string; invoiceNumber: string | null }>> {
    if (lineIds.length === 0) return new Map();
    const states = await this.billableLines.states(TIME_SOURCE_KIND, [...lineIds]);
    return new Map(states.filter((state) => state.state === 'invoiced').map((state) => [state.sourceId, { invoicedAt: new Date(), invoiceId: state.invoiceId!, invoiceNumber: state.invoiceNumber }]));
  }

  @JobHandler(SYNC_INVOICED_JOB, { cron: '*/10 * * * *' })
  async syncInvoicedJob(): Promise<void> {
    await this.syncInvoiced();
  }

  /**
   * Locks every line billing has put on an invoice since the last pass, one committed batch at a
   * time (a pass that dies half-way leaves the next to finish; locking twice changes nothing).
   * `maxBatches` stops early (a test stands in for a crash with it).
   */
  async syncInvoiced(options: { batchSize?: number; maxBatches?: number } = {}): Promise<{ checked: number; locked: number }> {
    const batchSize = options.batchSize ?? SYNC_BATCH;
    let cursor = '00000000-0000-0000-0000-000000000000';
    let checked = 0;
    let locked = 0;
    for (let batches = 0; batches < (options.maxBatches ?? Infinity); batches++) {
      const ids = (await this.db.query<{ id: string }>(`SELECT id FROM time_billing_lines WHERE invoiced_at IS NULL AND id > $1 ORDER BY id LIMIT $2`, [cursor, batchSize])).map((row) => row.id);
      if (ids.length === 0) break;
      locked += await this.db.withTransaction(() => this.markInvoiced(ids));
      checked += ids.length;
      cursor = ids[ids.length - 1]!;
    }
    return { checked, locked };
  }

  /**
   * A capped contract's state against its cap, from what was recorded billable on it (approved or
   * not). Crossing 80 % the first time tells the coordinators by mail (once, until the cap changes).
   */
  async warnNearCap(contractId: string): Promise<CapWarning | null> {
    const contract = await this.db.getRepository(Contract).findOneBy({ id: contractId });
    const capMinutes = contract ? capMinutesOf(contract.capHours) : null;
    if (!contract || capMinutes === null) return null;
    const [row] = await this.db.query<{ used: number }>(`SELECT coalesce(sum(minutes), 0)::int AS used FROM time_entries WHERE contract_id = $1 AND billable`, [contractId]);
    const { percent, level } = capLevel(row!.used, capMinutes);
    if (level === 'ok') return null;
    const params = (locale: Locale) => ({ contract: contract.name, used: hoursText(row!.used), cap: contract.capHours!, percent: percent.toLocaleString(locale === 'fr' ? 'fr-CA' : 'en-CA') });
    const code = level === 'near' ? 'contract_cap_near' : 'contract_cap_reached';
    const claimed = await this.db.query(`UPDATE contracts SET cap_warned_at = now() WHERE id = $1 AND cap_warned_at IS NULL RETURNING id`, [contractId]);
    if (claimed.length > 0) {
      const coordinators = await this.db.getRepository(User).createQueryBuilder('u').where(`'coordinator' = ANY(u.staffRoles)`).andWhere('u.disabledAt IS NULL').getMany();
      await this.mail.sendMany(
        coordinators.map((user) => ({
          to: user.email,
          subject: this.i18n.t('timekeeping.mail.cap.subject', params(user.locale), user.locale),
          text: this.i18n.t('timekeeping.mail.cap.body', params(user.locale), user.locale),
        })),
      );
      await this.audit.record({ action: 'contract.cap_warning', targetType: 'contract', targetId: contractId, organizationId: contract.organizationId, after: { usedHours: hoursText(row!.used), capHours: contract.capHours, percent } });
    }
    return { code, contractId, message: this.i18n.t(`timekeeping.warnings.${code}`, params(this.i18n.locale)), usedHours: hoursText(row!.used), capHours: contract.capHours!, percent };
  }

  private describe(locale: Locale, contract: string, task: string | null, month: string): string {
    const monthName = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
    return task === null ? this.i18n.t('timekeeping.billing.line_without_task', { contract, month: monthName }, locale) : this.i18n.t('timekeeping.billing.line', { contract, task, month: monthName }, locale);
  }
}
