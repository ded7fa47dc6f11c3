import { Inject, Injectable } from '@nestjs/common';
import { todayIn } from '../shared/dates.js';
import { TIMEKEEPING_SETTINGS, type TimekeepingSettings } from '../timekeeping.settings.js';
import { AuditService, Conflict, I18nService, newId, NotFound, Organization, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { In } from 'typeorm';
import { capLevel, capMinutesOf } from '../billing/billing-plan.js';
import { TimeBillingService } from '../billing/time-billing.service.js';
import { rateOn } from '../rates/pay.js';
import { RatesService } from '../rates/rates.service.js';
import { fieldError } from '../shared/field-error.js';
import { assertCoordinator, assertReader, assertRecorder } from '../shared/access.js';
import { Decimal, hoursText } from '../shared/decimal.js';
import { WorkersService } from '../workers/workers.service.js';
import { Contract, ContractTask, type ContractKind } from './contract.entity.js';

export interface NewContract {
  name: string;
  kind: ContractKind;
  organizationId?: string | undefined;
  hourlyRate?: string | undefined;
  capHours?: string | undefined;
  fixedPriceCents?: number | undefined;
  budgetHours?: string | undefined;
  broughtById?: string | undefined;
  coopSharePercent?: string | undefined;
  startsOn: string;
  endsOn?: string | undefined;
  tasks?: string[] | undefined;
}

export interface ContractChange {
  name?: string | undefined;
  capHours?: string | undefined;
  budgetHours?: string | null | undefined;
  broughtById?: string | null | undefined;
  coopSharePercent?: string | undefined;
  endsOn?: string | null | undefined;
  status?: 'open' | 'closed' | undefined;
}

export interface CapStatus {
  hours: string;
  /** Billable hours recorded on the contract, approved or not. */
  usedHours: string;
  billedHours: string;
  percent: number;
  level: 'ok' | 'near' | 'reached';
}

export interface ContractView {
  contract: Contract;
  tasks: ContractTask[];
  hourlyRate: string | null;
  cap: CapStatus | null;
}

/** Contracts (client work or internal projects) and their tasks. */
@Injectable()
export class ContractsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly rates: RatesService,
    private readonly workers: WorkersService,
    private readonly billing: TimeBillingService,
    private readonly i18n: I18nService,
    @Inject(TIMEKEEPING_SETTINGS.token) private readonly settings: TimekeepingSettings,
  ) {}

  async create(input: NewContract): Promise<ContractView> {
    assertCoordinator();
    if (input.organizationId && !(await this.db.getRepository(Organization).existsBy({ id: input.organizationId }))) throw new NotFound();
    if (input.broughtById) await this.workers.ensure(input.broughtById);
    const id = newId();
    await this.db.getRepository(Contract).insert({
      id,
      name: input.name,
      kind: input.kind,
      organizationId: input.organizationId ?? null,
      fixedPriceCents: input.fixedPriceCents ?? null,
      capHours: input.capHours ?? null,
      budgetHours: input.budgetHours ?? null,
      broughtById: input.broughtById ?? null,
      coopSharePercent: input.coopSharePercent ?? '30',
      startsOn: input.startsOn,
      endsOn: input.endsOn ?? null,
      status: 'open',
    });
    if (input.hourlyRate) await this.rates.insert(id, input.startsOn, input.hourlyRate);
    const tasks = [...new Set(input.tasks ?? [])];
    if (tasks.length) await this.db.getRepository(ContractTask).insert(tasks.map((name) => ({ id: newId(), contractId: id, name })));
    await this.audit.record({ action: 'contract.create', targetType: 'contract', targetId: id, organizationId: input.organizationId ?? null, after: { ...input } });
    return this.view(id);
  }

  async update(id: string, change: ContractChange): Promise<ContractView> {
    assertCoordinator();
    const before = await this.db.getRepository(Contract).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
    if (!before) throw new NotFound();
    if (change.capHours !== undefined) {
      if (before.kind !== 'capped') throw fieldError(this.i18n, 'capHours', 'capped_only');
      const [billed] = await this.db.query<{ minutes: number }>(`SELECT coalesce(sum(billed_minutes), 0)::int AS minutes FROM time_billing_lines WHERE contract_id = $1`, [id]);
      if (new Decimal(change.capHours).times(60).lessThan(billed!.minutes)) throw new Conflict('cap_below_billed', { hours: hoursText(billed!.minutes) });
    }
    if (change.broughtById) await this.workers.ensure(change.broughtById);
    if (change.endsOn && change.endsOn < before.startsOn) throw fieldError(this.i18n, 'endsOn', 'span_invalid');
    await this.db.getRepository(Contract).update(
      { id },
      {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.capHours !== undefined ? { capHours: change.capHours, capWarnedAt: null } : {}),
        ...(change.budgetHours !== undefined ? { budgetHours: change.budgetHours } : {}),
        ...(change.broughtById !== undefined ? { broughtById: change.broughtById } : {}),
        ...(change.coopSharePercent !== undefined ? { coopSharePercent: change.coopSharePercent } : {}),
        ...(change.endsOn !== undefined ? { endsOn: change.endsOn } : {}),
        ...(change.status !== undefined ? { status: change.status } : {}),
      },
    );
    // A raised cap lets approved hours that were past it be billed now.
    if (change.capHours !== undefined) await this.billing.submitApproved([id]);
    const after = await this.db.getRepository(Contract).findOneByOrFail({ id });
    await this.audit.record({ action: 'contract.update', targetType: 'contract', targetId: id, organizationId: before.organizationId, before: { ...before }, after: { ...after } });
    if (change.capHours !== undefined) await this.billing.warnNearCap(id);
    return this.view(id);
  }

  async list(query: PageQuery & { organizationId?: string | undefined; status?: 'open' | 'closed' | undefined; kind?: ContractKind | undefined }): Promise<Page<ContractView>> {
    assertReader();
    const qb = this.db.getRepository(Contract).createQueryBuilder('c');
    if (query.organizationId) qb.andWhere('c.organizationId = :organizationId', { organizationId: query.organizationId });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.kind) qb.andWhere('c.kind = :kind', { kind: query.kind });
    const page = await paginate(qb, query);
    return { data: await this.views(page.data), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<ContractView> {
    assertReader();
    return this.view(id);
  }

  async addTask(contractId: string, name: string): Promise<ContractView> {
    assertRecorder();
    const contract = await this.db.getRepository(Contract).findOneBy({ id: contractId });
    if (!contract) throw new NotFound();
    if (contract.status === 'closed') throw new Conflict('contract_closed', { contract: contract.name });
    const id = newId();
    const inserted = await this.db.query(`INSERT INTO contract_tasks (id, contract_id, name) VALUES ($1, $2, $3) ON CONFLICT (contract_id, name) DO NOTHING RETURNING id`, [id, contractId, name]);
    if (inserted.length === 0) throw new Conflict('task_name_taken', { contract: contract.name, task: name });
    await this.audit.record({ action: 'contract_task.create', targetType: 'contract_task', targetId: id, organizationId: contract.organizationId, after: { contractId, name } });
    return this.view(contractId);
  }

  async updateTask(contractId: string, taskId: string, change: { name?: string | undefined; closed?: boolean | undefined }): Promise<ContractView> {
    assertCoordinator();
    const task = await this.db.getRepository(ContractTask).findOneBy({ id: taskId, contractId });
    if (!task) throw new NotFound();
    const contract = await this.db.getRepository(Contract).findOneByOrFail({ id: contractId });
    if (change.name !== undefined && change.name !== task.name && (await this.db.getRepository(ContractTask).existsBy({ contractId, name: change.name }))) throw new Conflict('task_name_taken', { contract: contract.name, task: change.name });
    await this.db.getRepository(ContractTask).update(
      { id: taskId },
      { ...(change.name !== undefined ? { name: change.name } : {}), ...(change.closed !== undefined ? { closedAt: change.closed ? (task.closedAt ?? new Date()) : null } : {}) },
    );
    await this.audit.record({ action: 'contract_task.update', targetType: 'contract_task', targetId: taskId, organizationId: contract.organizationId, before: { name: task.name, closed: task.closedAt !== null }, after: change });
    return this.view(contractId);
  }

  private async view(id: string): Promise<ContractView> {
    const contract = await this.db.getRepository(Contract).findOneBy({ id });
    if (!contract) throw new NotFound();
    return (await this.views([contract]))[0]!;
  }

  async views(contracts: Contract[]): Promise<ContractView[]> {
    if (contracts.length === 0) return [];
    const ids = contracts.map((contract) => contract.id);
    const tasks = await this.db.getRepository(ContractTask).find({ where: { contractId: In(ids) }, order: { name: 'ASC' } });
    const rates = await this.rates.contractRates(ids);
    const capped = contracts.filter((contract) => contract.kind === 'capped').map((contract) => contract.id);
    const usage = new Map<string, { used: number; billed: number }>();
    if (capped.length) {
      const rows = await this.db.query<{ contract_id: string; used: number; billed: number }>(
        `SELECT c.id AS contract_id,
                (SELECT coalesce(sum(minutes), 0) FROM time_entries e WHERE e.contract_id = c.id AND e.billable)::int AS used,
                (SELECT coalesce(sum(billed_minutes), 0) FROM time_billing_lines l WHERE l.contract_id = c.id)::int AS billed
           FROM contracts c WHERE c.id = ANY($1::uuid[])`,
        [capped],
      );
      for (const row of rows) usage.set(row.contract_id, { used: row.used, billed: row.billed });
    }
    const today = todayIn(this.settings.timeZone);
    return contracts.map((contract) => {
      const rate = rateOn(rates.get(contract.id) ?? [], today) ?? (rates.get(contract.id) ?? [])[0] ?? null;
      const capMinutes = capMinutesOf(contract.capHours);
      const used = usage.get(contract.id);
      return {
        contract,
        tasks: tasks.filter((task) => task.contractId === contract.id),
        hourlyRate: rate?.hourlyRate ?? null,
        cap: capMinutes !== null && used ? { hours: contract.capHours!, usedHours: hoursText(used.used), billedHours: hoursText(used.billed), ...capLevel(used.used, capMinutes) } : null,
      };
    });
  }
}
