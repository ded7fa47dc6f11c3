import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, DomainError, newId, TransactionalConnection } from '@ruche/core';
import { TaxRate } from './tax-rate.entity.js';
import type { TaxRates } from './taxes.js';

/** The rate of `tax` in force on `day` among `rows`: the latest starting on or before it. */
export function rateOn(rows: ReadonlyArray<Pick<TaxRate, 'tax' | 'effectiveFrom' | 'rate' | 'baseIncludesGst'>>, tax: 'gst' | 'qst', day: string) {
  let found: (typeof rows)[number] | undefined;
  for (const row of rows) if (row.tax === tax && row.effectiveFrom <= day && (!found || row.effectiveFrom > found.effectiveFrom)) found = row;
  return found;
}

/** Effective-dated GST and QST, read often (every invoice): kept in memory, reloaded when one is added. */
@Injectable()
export class TaxRatesService {
  private rows: TaxRate[] | null = null;

  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<TaxRate[]> {
    return this.db.getRepository(TaxRate).find({ order: { tax: 'ASC', effectiveFrom: 'ASC' } });
  }

  async ratesOn(day: string): Promise<TaxRates> {
    this.rows ??= await this.list();
    const gst = rateOn(this.rows, 'gst', day);
    const qst = rateOn(this.rows, 'qst', day);
    if (!gst) throw new DomainError('no_tax_rate', 409, { tax: 'gst', date: day });
    if (!qst) throw new DomainError('no_tax_rate', 409, { tax: 'qst', date: day });
    return { gst: gst.rate, qst: qst.rate, qstBaseIncludesGst: qst.baseIncludesGst };
  }

  /** A new rate from a day on (rates are never edited: the past keeps its rates). */
  async add(input: { tax: 'gst' | 'qst'; effectiveFrom: string; rate: string; baseIncludesGst: boolean }): Promise<TaxRate> {
    assertStaffScope('billing:write');
    const inserted = await this.db.query(
      `INSERT INTO tax_rates (id, tax, effective_from, rate, base_includes_gst) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
      [newId(), input.tax, input.effectiveFrom, input.rate, input.tax === 'qst' && input.baseIncludesGst],
    );
    if (inserted.length === 0) throw new Conflict('tax_rate_exists', { tax: input.tax, date: input.effectiveFrom });
    this.rows = null;
    await this.audit.record({ action: 'tax_rate.create', targetType: 'tax_rate', targetId: (inserted[0] as { id: string }).id, after: input });
    return this.db.getRepository(TaxRate).findOneByOrFail({ id: (inserted[0] as { id: string }).id });
  }
}
