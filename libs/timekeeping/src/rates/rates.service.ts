import { Injectable } from '@nestjs/common';
import { AuditService, Conflict, DomainError, newId, NotFound, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { In, IsNull } from 'typeorm';
import { Contract } from '../contracts/contract.entity.js';
import { assertCoordinator, assertReader } from '../shared/access.js';
import { twoPlaces } from '../shared/decimal.js';
import { HourlyRate } from './hourly-rate.entity.js';

/**
 * Effective-dated hourly rates: the co-op's single rate (what every worker is paid) and each
 * contract's rate to its client. A change is a new row from a day on; a row never changes, and a
 * new one may not reach back into wages already paid or hours already billed.
 */
@Injectable()
export class RatesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQuery & { contractId?: string | undefined }): Promise<Page<HourlyRate>> {
    assertReader();
    const qb = this.db.getRepository(HourlyRate).createQueryBuilder('r');
    if (query.contractId) qb.andWhere('r.contractId = :contractId', { contractId: query.contractId });
    else qb.andWhere('r.contractId IS NULL');
    return paginate(qb, query);
  }

  async coopRates(): Promise<HourlyRate[]> {
    return this.db.getRepository(HourlyRate).find({ where: { contractId: IsNull() }, order: { effectiveFrom: 'ASC' } });
  }

  async contractRates(contractIds: readonly string[]): Promise<Map<string, HourlyRate[]>> {
    const rows = contractIds.length ? await this.db.getRepository(HourlyRate).find({ where: { contractId: In([...contractIds]) }, order: { effectiveFrom: 'ASC' } }) : [];
    const byContract = new Map<string, HourlyRate[]>(contractIds.map((id) => [id, []]));
    for (const row of rows) byContract.get(row.contractId!)!.push(row);
    return byContract;
  }

  /** A new rate from a day on: the co-op's (no contract) or a contract's (coordinators). */
  async create(input: { contractId?: string | undefined; effectiveFrom: string; hourlyRate: string }): Promise<HourlyRate> {
    assertCoordinator();
    if (input.contractId) {
      const contract = await this.db.getRepository(Contract).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id: input.contractId }).getOne();
      if (!contract) throw new NotFound();
      if (contract.kind !== 'hourly' && contract.kind !== 'capped') throw new DomainError('contract_not_billable', 422, { contract: contract.name });
      const [billed] = await this.db.query<{ through: string | null }>(`SELECT max(service_date)::text AS through FROM time_billing_lines WHERE contract_id = $1`, [contract.id]);
      if (billed?.through && input.effectiveFrom <= billed.through) throw new Conflict('rate_before_billed', { date: billed.through });
    } else {
      // Pay runs are taken under this lock too: a rate and a pay run never cross.
      await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('timekeeping:coop-rate'))`);
      const [paid] = await this.db.query<{ through: string | null }>(`SELECT max(through)::text AS through FROM pay_runs`);
      if (paid?.through && input.effectiveFrom <= paid.through) throw new Conflict('rate_before_pay_run', { date: paid.through });
    }
    const rate = await this.insert(input.contractId ?? null, input.effectiveFrom, input.hourlyRate);
    await this.audit.record({ action: 'hourly_rate.create', targetType: 'hourly_rate', targetId: rate.id, after: { contractId: rate.contractId, effectiveFrom: rate.effectiveFrom, hourlyRate: rate.hourlyRate } });
    return rate;
  }

  /** Records a rate row (also a new contract's first rate); two on one day is a conflict. */
  async insert(contractId: string | null, effectiveFrom: string, hourlyRate: string): Promise<HourlyRate> {
    const id = newId();
    const inserted = await this.db.query(
      `INSERT INTO hourly_rates (id, contract_id, effective_from, hourly_rate) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [id, contractId, effectiveFrom, twoPlaces(hourlyRate)],
    );
    if (inserted.length === 0) throw new Conflict('rate_exists', { date: effectiveFrom });
    return this.db.getRepository(HourlyRate).findOneByOrFail({ id });
  }
}
