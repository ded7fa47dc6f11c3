import { Inject, Injectable } from '@nestjs/common';
import { AuditService, Conflict, DomainError, Forbidden, I18nService, newId, NotFound, paginate, requireActor, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { fieldError } from '../shared/field-error.js';
import { In, type SelectQueryBuilder } from 'typeorm';
import { TimeBillingLine } from '../billing/time-billing-line.entity.js';
import { TimeBillingService, type CapWarning } from '../billing/time-billing.service.js';
import { Committee } from '../committees/committee.entity.js';
import { Contract, ContractTask } from '../contracts/contract.entity.js';
import { PayRun } from '../pay/pay-run.entity.js';
import { assertCoordinator, assertReader, assertRecorder, isCoordinator, readsEveryonesTime } from '../shared/access.js';
import { todayIn } from '../shared/dates.js';
import { hoursText } from '../shared/decimal.js';
import { roundMinutes } from '../shared/rounding.js';
import { TIMEKEEPING_SETTINGS, type TimekeepingSettings } from '../timekeeping.settings.js';
import { WorkersService } from '../workers/workers.service.js';
import { TimeEntry, type Category } from './time-entry.entity.js';

/** What time is recorded against. */
export interface EntryTarget {
  workDate: string;
  contractId: string | null;
  taskId: string | null;
  category: Category;
  committeeId: string | null;
  billable: boolean;
  volunteer: boolean;
}

export interface NewEntry extends EntryTarget {
  workerId?: string | undefined;
  minutes: number;
  description: string;
}

export type EntryChange = Partial<Omit<NewEntry, 'workerId'>>;

export interface EntryQuery {
  workerId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  contractId?: string | undefined;
  status?: 'open' | 'approved' | undefined;
}

/** An entry as the API shows it: its billing (on which invoice) and pay, and whether it is locked. */
export interface EntryView {
  entry: TimeEntry;
  billing: { state: 'submitted' | 'invoiced' | 'over_cap'; lineId: string | null; invoiceId: string | null; invoiceNumber: string | null } | null;
  paidOn: string | null;
  locked: boolean;
  workerName: string;
  contractName: string | null;
  taskName: string | null;
  committeeCode: string | null;
}

/**
 * Time entries: recorded by their worker (or a coordinator for them), rounded once, changed by
 * their worker while open, approved by coordinators (approval hands billable hours to billing in
 * the same transaction), locked by PostgreSQL once invoiced or paid; corrected by adjusting entries.
 */
@Injectable()
export class TimeEntriesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly workers: WorkersService,
    private readonly billing: TimeBillingService,
    private readonly i18n: I18nService,
    @Inject(TIMEKEEPING_SETTINGS.token) private readonly settings: TimekeepingSettings,
  ) {}

  today(): string {
    return todayIn(this.settings.timeZone);
  }

  async create(input: NewEntry): Promise<{ view: EntryView; warnings: CapWarning[] }> {
    const actor = assertRecorder();
    const workerId = input.workerId ?? actor.userId;
    if (workerId !== actor.userId && !isCoordinator(actor)) throw new Forbidden('missing_scope', { scope: 'timekeeping:admin' });
    const entry = await this.record({ ...input, workerId }, { recordedMinutes: input.minutes });
    return { view: await this.view(entry), warnings: await this.capWarnings([entry]) };
  }

  /**
   * Records an entry for a worker after checking what it is recorded against, rounding the
   * duration once by the configured rule (adjustments pass `exactMinutes`: they are not rounded).
   */
  async record(input: NewEntry & { workerId: string }, options: { recordedMinutes: number; exactMinutes?: number; adjustsEntryId?: string }): Promise<TimeEntry> {
    const actor = requireActor();
    const worker = await this.workers.ensure(input.workerId);
    if (!worker.active) throw new Conflict('worker_inactive');
    await this.checkTarget(input);
    const id = newId();
    const minutes = options.exactMinutes ?? roundMinutes(options.recordedMinutes, this.settings.rounding);
    await this.db.getRepository(TimeEntry).insert({
      id,
      workerId: input.workerId,
      workDate: input.workDate,
      recordedMinutes: options.recordedMinutes,
      minutes,
      rounding: options.exactMinutes !== undefined ? 'none' : this.settings.roundingText,
      contractId: input.contractId,
      taskId: input.taskId,
      category: input.category,
      committeeId: input.committeeId,
      description: input.description,
      billable: input.billable,
      volunteer: input.volunteer,
      status: 'open',
      adjustsEntryId: options.adjustsEntryId ?? null,
      recordedBy: input.workerId === actor.userId ? null : actor.userId,
    });
    const entry = await this.db.getRepository(TimeEntry).findOneByOrFail({ id });
    await this.audit.record({ action: options.adjustsEntryId ? 'time_entry.adjust' : 'time_entry.create', targetType: 'time_entry', targetId: id, after: auditOf(entry) });
    return entry;
  }

  async update(id: string, change: EntryChange): Promise<{ view: EntryView; warnings: CapWarning[] }> {
    assertRecorder();
    const before = await this.editable(id);
    const merged = {
      workDate: change.workDate ?? before.workDate,
      contractId: change.contractId !== undefined ? change.contractId : before.contractId,
      taskId: change.taskId !== undefined ? change.taskId : change.contractId !== undefined && change.contractId !== before.contractId ? null : before.taskId,
      category: change.category ?? before.category,
      committeeId: change.committeeId !== undefined ? change.committeeId : change.category !== undefined && change.category !== 'committee_meeting' ? null : before.committeeId,
      billable: change.billable ?? before.billable,
      volunteer: change.volunteer ?? before.volunteer,
    };
    await this.checkTarget(merged);
    let minutes = {};
    if (change.minutes !== undefined) {
      // An adjustment keeps its exact signed minutes; recorded time is rounded again, once.
      if (before.adjustsEntryId !== null) minutes = { recordedMinutes: change.minutes, minutes: change.minutes };
      else if (change.minutes <= 0) throw fieldError(this.i18n, 'minutes', 'minutes_positive');
      else minutes = { recordedMinutes: change.minutes, minutes: roundMinutes(change.minutes, this.settings.rounding), rounding: this.settings.roundingText };
    }
    await this.db.getRepository(TimeEntry).update({ id }, { ...merged, ...minutes, ...(change.description !== undefined ? { description: change.description } : {}) });
    const after = await this.db.getRepository(TimeEntry).findOneByOrFail({ id });
    await this.audit.record({ action: 'time_entry.update', targetType: 'time_entry', targetId: id, before: auditOf(before), after: auditOf(after) });
    return { view: await this.view(after), warnings: await this.capWarnings([after]) };
  }

  async remove(id: string): Promise<void> {
    assertRecorder();
    const entry = await this.editable(id);
    await this.db.getRepository(TimeEntry).delete({ id });
    await this.audit.record({ action: 'time_entry.delete', targetType: 'time_entry', targetId: id, before: auditOf(entry) });
  }

  /** A correction of an approved (perhaps invoiced or paid) entry: a new entry of signed minutes, to approve in turn. */
  async adjust(id: string, input: { minutes: number; description: string }): Promise<{ view: EntryView; warnings: CapWarning[] }> {
    const actor = assertRecorder();
    const original = await this.visible(id);
    if (original.workerId !== actor.userId && !isCoordinator(actor)) throw new Forbidden('time_entry_not_yours');
    if (original.status === 'open') throw new Conflict('time_entry_open');
    const [net] = await this.db.query<{ minutes: number }>(`SELECT coalesce(sum(minutes), 0)::int AS minutes FROM time_entries WHERE id = $1 OR adjusts_entry_id = $1`, [id]);
    if (net!.minutes + input.minutes < 0) throw new Conflict('time_entry_adjustment_too_large', { hours: hoursText(net!.minutes) });
    const entry = await this.record(
      {
        workerId: original.workerId,
        workDate: original.workDate,
        contractId: original.contractId,
        taskId: original.taskId,
        category: original.category,
        committeeId: original.committeeId,
        // Less time is never billed back: a client is credited through billing (a credit note).
        billable: original.billable && input.minutes > 0,
        volunteer: original.volunteer,
        minutes: input.minutes,
        description: input.description,
      },
      { recordedMinutes: input.minutes, exactMinutes: input.minutes, adjustsEntryId: original.id },
    );
    return { view: await this.view(entry), warnings: await this.capWarnings([entry]) };
  }

  /**
   * Approves open entries (coordinators); approved billable hours go to billing in this same
   * transaction. Entries already approved are left as they are.
   */
  async approve(ids: readonly string[]): Promise<{ approved: EntryView[]; alreadyApproved: string[]; warnings: CapWarning[] }> {
    const actor = assertCoordinator();
    const unique = [...new Set(ids)].sort();
    const entries = await this.db.getRepository(TimeEntry).createQueryBuilder('e').setLock('pessimistic_write').where('e.id IN (:...ids)', { ids: unique }).orderBy('e.id').getMany();
    if (entries.length !== unique.length) throw new NotFound();
    const open = entries.filter((entry) => entry.status === 'open');
    if (open.length) {
      await this.db.query(`UPDATE time_entries SET status = 'approved', approved_by = $2, approved_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [open.map((entry) => entry.id), actor.userId]);
      await this.billing.submitApproved(open.filter((entry) => entry.billable).map((entry) => entry.contractId!));
      await this.audit.record({ action: 'time_entry.approve', targetType: 'time_entry', targetId: open.length === 1 ? open[0]!.id : null, after: { entries: open.map((entry) => entry.id) } });
    }
    const order = new Map(ids.map((id, index) => [id, index]));
    const approved = (await this.db.getRepository(TimeEntry).findBy({ id: In(open.map((entry) => entry.id)) })).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    return { approved: await this.views(approved), alreadyApproved: entries.filter((entry) => entry.status === 'approved').map((entry) => entry.id), warnings: await this.capWarnings(approved) };
  }

  /** Sends an approved entry back to its worker (coordinators): refused once it is invoiced or paid. */
  async unapprove(id: string): Promise<EntryView> {
    assertCoordinator();
    const entry = await this.db.getRepository(TimeEntry).createQueryBuilder('e').setLock('pessimistic_write').where('e.id = :id', { id }).getOne();
    if (!entry) throw new NotFound();
    if (entry.status === 'open') return this.view(entry);
    await this.assertNotLocked(entry);
    if (entry.billingLineId) {
      // Billing takes the line back unless a run has invoiced it meanwhile (then it is locked now).
      const invoice = await this.billing.withdrawLine(entry.billingLineId);
      if (invoice !== null) throw new Conflict('time_entry_invoiced', { invoice });
    }
    await this.db.query(`UPDATE time_entries SET status = 'open', approved_by = NULL, approved_at = NULL, billing_state = NULL, billing_line_id = NULL, updated_at = now() WHERE id = $1`, [id]);
    // The other entries the withdrawn line held are still approved: they go to billing again.
    if (entry.billingLineId && entry.contractId) await this.billing.submitApproved([entry.contractId]);
    const after = await this.db.getRepository(TimeEntry).findOneByOrFail({ id });
    await this.audit.record({ action: 'time_entry.unapprove', targetType: 'time_entry', targetId: id, before: { status: 'approved' }, after: { status: 'open' } });
    return this.view(after);
  }

  async get(id: string): Promise<EntryView> {
    assertReader();
    return this.view(await this.visible(id));
  }

  async list(query: EntryQuery & PageQuery): Promise<Page<EntryView>> {
    assertReader();
    const page = await paginate(this.query(query), query);
    return { data: await this.views(page.data), nextCursor: page.nextCursor };
  }

  /** Every matching entry, by day (the CSV export). */
  async all(query: EntryQuery): Promise<EntryView[]> {
    assertReader();
    return this.views(await this.query(query).orderBy('e.workDate').addOrderBy('e.id').getMany());
  }

  private query(query: EntryQuery): SelectQueryBuilder<TimeEntry> {
    const actor = requireActor();
    const everyone = readsEveryonesTime(actor);
    // A worker asking for someone else's time is told nothing exists.
    if (!everyone && query.workerId && query.workerId !== actor.userId) throw new NotFound();
    const qb = this.db.getRepository(TimeEntry).createQueryBuilder('e');
    const workerId = everyone ? query.workerId : actor.userId;
    if (workerId) qb.andWhere('e.workerId = :workerId', { workerId });
    if (query.from) qb.andWhere('e.workDate >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.workDate <= :to', { to: query.to });
    if (query.contractId) qb.andWhere('e.contractId = :contractId', { contractId: query.contractId });
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    return qb;
  }

  /** The entry, if the caller may see it (their own, or anyone's for coordinators and accountants). */
  async visible(id: string): Promise<TimeEntry> {
    const actor = requireActor();
    const entry = await this.db.getRepository(TimeEntry).findOneBy({ id });
    if (!entry || (entry.workerId !== actor.userId && !readsEveryonesTime(actor))) throw new NotFound();
    return entry;
  }

  /** The entry, if the caller may change it: their own, still open. */
  private async editable(id: string): Promise<TimeEntry> {
    const actor = requireActor();
    const entry = await this.visible(id);
    if (entry.workerId !== actor.userId) throw new Forbidden('time_entry_not_yours');
    if (entry.status !== 'open') {
      await this.assertNotLocked(entry);
      throw new Conflict('time_entry_approved');
    }
    return entry;
  }

  private async assertNotLocked(entry: TimeEntry): Promise<void> {
    if (entry.payRunId) {
      const run = await this.db.getRepository(PayRun).findOneByOrFail({ id: entry.payRunId });
      throw new Conflict('time_entry_paid', { date: run.paidOn });
    }
    if (entry.billingLineId) {
      const line = await this.db.getRepository(TimeBillingLine).findOneByOrFail({ id: entry.billingLineId });
      if (line.invoicedAt) throw new Conflict('time_entry_invoiced', { invoice: line.invoiceNumber ?? line.invoiceId! });
    }
  }

  /** Checks what time is recorded against: the contract open on that day, its task, an active committee, billable only where hours are billed. */
  async checkTarget(target: Omit<EntryTarget, 'volunteer'> & { volunteer?: boolean }): Promise<Contract | null> {
    const invalid = (field: string, code: string) => fieldError(this.i18n, field, code);
    if ((target.category === 'committee_meeting') !== (target.committeeId !== null)) throw invalid('committeeId', 'committee_for_meetings');
    if (target.contractId === null && (target.category === 'work' || target.category === 'training')) throw invalid('contractId', 'contract_required');
    if (target.taskId !== null && target.contractId === null) throw invalid('taskId', 'task_without_contract');
    if (target.billable && target.volunteer) throw invalid('billable', 'billable_and_volunteer');
    const today = this.today();
    if (target.workDate > today) throw new DomainError('work_date_in_future', 422, { date: target.workDate });
    let contract: Contract | null = null;
    if (target.contractId) {
      contract = await this.db.getRepository(Contract).findOneBy({ id: target.contractId });
      if (!contract) throw new NotFound();
      if (contract.status === 'closed') throw new Conflict('contract_closed', { contract: contract.name });
      if (target.workDate < contract.startsOn || (contract.endsOn !== null && target.workDate > contract.endsOn)) {
        throw new DomainError('work_date_outside_contract', 422, { contract: contract.name, from: contract.startsOn, to: contract.endsOn ?? '…', date: target.workDate });
      }
      if (target.billable && (contract.organizationId === null || (contract.kind !== 'hourly' && contract.kind !== 'capped'))) throw new DomainError('contract_not_billable', 422, { contract: contract.name });
    } else if (target.billable) {
      throw invalid('billable', 'contract_required');
    }
    if (target.taskId) {
      const task = await this.db.getRepository(ContractTask).findOneBy({ id: target.taskId });
      if (!task) throw new NotFound();
      if (task.contractId !== target.contractId) throw new DomainError('task_not_in_contract', 422);
      if (task.closedAt) throw new Conflict('task_closed', { task: task.name });
    }
    if (target.committeeId) {
      const committee = await this.db.getRepository(Committee).findOneBy({ id: target.committeeId });
      if (!committee) throw new NotFound();
      if (committee.archivedAt) throw new Conflict('committee_archived', { committee: committee.code });
    }
    return contract;
  }

  /** Warnings for the capped contracts these entries are billable on (and the mail to coordinators, once). */
  private async capWarnings(entries: readonly TimeEntry[]): Promise<CapWarning[]> {
    const contracts = [...new Set(entries.filter((entry) => entry.billable && entry.contractId).map((entry) => entry.contractId!))];
    const warnings: CapWarning[] = [];
    for (const contractId of contracts) {
      const warning = await this.billing.warnNearCap(contractId);
      if (warning) warnings.push(warning);
    }
    return warnings;
  }

  async view(entry: TimeEntry): Promise<EntryView> {
    return (await this.views([entry]))[0]!;
  }

  async views(entries: readonly TimeEntry[]): Promise<EntryView[]> {
    if (entries.length === 0) return [];
    const ids = <K extends keyof TimeEntry>(key: K) => [...new Set(entries.map((entry) => entry[key]).filter((value): value is NonNullable<TimeEntry[K]> => value !== null))] as unknown as string[];
    const lines = new Map((ids('billingLineId').length ? await this.db.getRepository(TimeBillingLine).findBy({ id: In(ids('billingLineId')) }) : []).map((line) => [line.id, line]));
    const runs = new Map((ids('payRunId').length ? await this.db.getRepository(PayRun).findBy({ id: In(ids('payRunId')) }) : []).map((run) => [run.id, run]));
    const contracts = new Map((ids('contractId').length ? await this.db.getRepository(Contract).find({ select: { id: true, name: true }, where: { id: In(ids('contractId')) } }) : []).map((c) => [c.id, c.name]));
    const tasks = new Map((ids('taskId').length ? await this.db.getRepository(ContractTask).find({ select: { id: true, name: true }, where: { id: In(ids('taskId')) } }) : []).map((t) => [t.id, t.name]));
    const committees = new Map((ids('committeeId').length ? await this.db.getRepository(Committee).find({ select: { id: true, code: true }, where: { id: In(ids('committeeId')) } }) : []).map((c) => [c.id, c.code]));
    const names = await this.workers.names(ids('workerId'));
    // Billing may have invoiced a line since the job last passed: say so already (the job locks it).
    const live = await this.billing.invoicedNow([...lines.values()].filter((line) => line.invoicedAt === null).map((line) => line.id));
    return entries.map((entry) => {
      const stored = entry.billingLineId ? lines.get(entry.billingLineId) : undefined;
      const line = stored && live.has(stored.id) ? { ...stored, ...live.get(stored.id)! } : stored;
      const run = entry.payRunId ? runs.get(entry.payRunId) : undefined;
      const billing =
        entry.billingState === null
          ? null
          : { state: line?.invoicedAt ? ('invoiced' as const) : entry.billingState, lineId: entry.billingLineId, invoiceId: line?.invoiceId ?? null, invoiceNumber: line?.invoiceNumber ?? null };
      return {
        entry,
        billing,
        paidOn: run?.paidOn ?? null,
        locked: Boolean(run) || Boolean(line?.invoicedAt),
        workerName: names.get(entry.workerId) ?? '',
        contractName: entry.contractId ? (contracts.get(entry.contractId) ?? null) : null,
        taskName: entry.taskId ? (tasks.get(entry.taskId) ?? null) : null,
        committeeCode: entry.committeeId ? (committees.get(entry.committeeId) ?? null) : null,
      };
    });
  }
}

function auditOf(entry: TimeEntry) {
  return {
    workerId: entry.workerId,
    workDate: entry.workDate,
    recordedMinutes: entry.recordedMinutes,
    minutes: entry.minutes,
    rounding: entry.rounding,
    contractId: entry.contractId,
    taskId: entry.taskId,
    category: entry.category,
    committeeId: entry.committeeId,
    description: entry.description,
    billable: entry.billable,
    volunteer: entry.volunteer,
    adjustsEntryId: entry.adjustsEntryId,
  };
}
