import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, DomainError, I18nService, NotFound, newId, TransactionalConnection } from '@ruche/core';
import { LedgerService, type AccountUse } from '@ruche/accounting';
import type { Meter } from '@ruche/hosting';
import type { MeteredPrice } from '../runs/draft-lines.js';
import { BillingItem, BillingItemPrice } from './billing-item.entity.js';

export interface PricedItem {
  item: BillingItem;
  unitPrice: string;
}

/** What the co-op sells besides plans, with effective-dated unit prices. */
@Injectable()
export class ItemsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly ledger: LedgerService,
  ) {}

  /** What bills to an account (asked before it is retired): active items, and lines not posted yet. */
  async usesOf(accountCode: string): Promise<AccountUse> {
    const items = (await this.db.getRepository(BillingItem).find({ select: { code: true }, where: { accountCode, active: true }, order: { code: 'ASC' } })).map((item) => item.code);
    const [{ unposted }] = await this.db.query<{ unposted: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE l.account_code = $1 AND i.status = 'draft')
           OR EXISTS (SELECT 1 FROM billable_lines WHERE account_code = $1 AND invoice_line_id IS NULL) AS unposted`,
      [accountCode],
    );
    return { items, unposted: unposted === true };
  }

  async list(): Promise<Array<{ item: BillingItem; prices: BillingItemPrice[] }>> {
    const items = await this.db.getRepository(BillingItem).find({ order: { code: 'ASC' } });
    const prices = await this.db.getRepository(BillingItemPrice).find({ order: { effectiveFrom: 'ASC' } });
    return items.map((item) => ({ item, prices: prices.filter((price) => price.itemId === item.id) }));
  }

  async create(input: { code: string; nameFr: string; nameEn: string; kind: BillingItem['kind']; meter?: string | undefined; taxCode: BillingItem['taxCode']; accountCode: string; unitPrice: string; effectiveFrom: string }): Promise<BillingItem> {
    assertStaffScope('billing:write');
    const repository = this.db.getRepository(BillingItem);
    if (await repository.existsBy({ code: input.code })) throw new Conflict('item_code_taken', { code: input.code });
    // Its revenue goes to an account of the chart that takes postings, or invoices would be refused when posted.
    await this.ledger.assertActive([input.accountCode]);
    const id = newId();
    await repository.insert({ id, code: input.code, nameFr: input.nameFr, nameEn: input.nameEn, kind: input.kind, meter: input.meter ?? null, taxCode: input.taxCode, accountCode: input.accountCode, active: true });
    await this.db.getRepository(BillingItemPrice).insert({ id: newId(), itemId: id, effectiveFrom: input.effectiveFrom, unitPrice: input.unitPrice });
    await this.audit.record({ action: 'billing_item.create', targetType: 'billing_item', targetId: id, after: input });
    return repository.findOneByOrFail({ id });
  }

  async addPrice(id: string, input: { effectiveFrom: string; unitPrice: string }): Promise<BillingItem> {
    assertStaffScope('billing:write');
    const item = await this.db.getRepository(BillingItem).findOneBy({ id });
    if (!item) throw new NotFound();
    const inserted = await this.db.query(`INSERT INTO billing_item_prices (id, item_id, effective_from, unit_price) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`, [
      newId(),
      id,
      input.effectiveFrom,
      input.unitPrice,
    ]);
    if (inserted.length === 0) throw new Conflict('price_exists', { date: input.effectiveFrom });
    await this.audit.record({ action: 'billing_item.price', targetType: 'billing_item', targetId: id, after: input });
    return item;
  }

  /** An active item by code, with its unit price on `day`. */
  async priced(code: string, day: string): Promise<PricedItem> {
    const item = await this.db.getRepository(BillingItem).findOneBy({ code, active: true });
    if (!item) throw new DomainError('item_unknown', 422, { code });
    const [price] = await this.db.query<{ unit_price: string }>(
      `SELECT unit_price FROM billing_item_prices WHERE item_id = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1`,
      [item.id, day],
    );
    if (!price) throw new DomainError('item_without_price', 422, { code, date: day });
    return { item, unitPrice: price.unit_price };
  }

  /** The metered extras and their unit prices on `day`, by meter. */
  async meterPrices(day: string): Promise<Map<Meter, MeteredPrice>> {
    const rows = await this.db.query<{ code: string; name_fr: string; name_en: string; meter: Meter; tax_code: MeteredPrice['taxCode']; account_code: string; unit_price: string }>(
      `SELECT i.code, i.name_fr, i.name_en, i.meter, i.tax_code, i.account_code, p.unit_price
         FROM billing_items i
         JOIN LATERAL (SELECT unit_price FROM billing_item_prices WHERE item_id = i.id AND effective_from <= $1 ORDER BY effective_from DESC LIMIT 1) p ON true
        WHERE i.kind = 'metered' AND i.active`,
      [day],
    );
    return new Map(rows.map((row) => [row.meter, { itemCode: row.code, nameFr: row.name_fr, nameEn: row.name_en, unitPrice: row.unit_price, taxCode: row.tax_code, accountCode: row.account_code }]));
  }

  name(item: BillingItem): string {
    return this.i18n.locale === 'fr' ? item.nameFr : item.nameEn;
  }
}
