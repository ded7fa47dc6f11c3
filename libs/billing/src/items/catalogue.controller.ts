import { Controller, Get, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { z } from 'zod';
import { decimalSchema } from '../invoices/invoice.schemas.js';
import { TAX_CODES } from '../taxes/taxes.js';
import { TaxRatesService } from '../taxes/tax-rates.service.js';
import { ItemsService } from './items.service.js';
import type { BillingItem, BillingItemPrice } from './billing-item.entity.js';

const taxRateSchema = z.object({ tax: z.enum(['gst', 'qst']), effectiveFrom: z.string(), rate: z.string(), baseIncludesGst: z.boolean() });
const rateInput = z.string().regex(/^0(\.\d{1,6})?$/, 'validation.decimal_invalid');

const itemSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  nameFr: z.string(),
  nameEn: z.string(),
  kind: z.enum(['one_off', 'metered', 'hourly']),
  meter: z.string().nullable(),
  taxCode: z.enum(TAX_CODES),
  accountCode: z.string(),
  active: z.boolean(),
  prices: z.array(z.object({ effectiveFrom: z.string(), unitPrice: z.string() })),
});

const createItemSchema = z
  .strictObject({
    code: z.string().trim().regex(/^[a-z][a-z0-9-]{1,59}$/, 'validation.item_code_invalid'),
    nameFr: z.string().trim().min(1).max(200),
    nameEn: z.string().trim().min(1).max(200),
    kind: z.enum(['one_off', 'metered', 'hourly']),
    meter: z.enum(['domains', 'sites', 'mailboxes', 'mail_storage_mb', 'databases', 'database_storage_mb', 'web_storage_mb']).optional(),
    taxCode: z.enum(TAX_CODES).default('taxable'),
    accountCode: z.string().regex(/^[0-9]{4,6}$/, 'validation.account_code_invalid'),
    unitPrice: decimalSchema,
    effectiveFrom: z.iso.date(),
  })
  .refine((body) => (body.kind === 'metered') === (body.meter !== undefined), { message: 'validation.meter_for_metered', path: ['meter'] });

@Controller(apiPath('tax-rates'))
export class TaxRatesController {
  constructor(private readonly rates: TaxRatesService) {}

  @Get()
  @Authorize()
  @Doc({ summary: 'GST and QST rates with the day each starts', tags: ['billing'], response: z.object({ data: z.array(taxRateSchema) }) })
  async list() {
    return { data: (await this.rates.list()).map((r) => ({ tax: r.tax, effectiveFrom: r.effectiveFrom, rate: r.rate, baseIncludesGst: r.baseIncludesGst })) };
  }

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Add a rate from a day on (staff); the past keeps its rates', tags: ['billing'], response: taxRateSchema, status: 201 })
  async add(@ValidBody(z.strictObject({ tax: z.enum(['gst', 'qst']), effectiveFrom: z.iso.date(), rate: rateInput, baseIncludesGst: z.boolean().default(false) })) body: { tax: 'gst' | 'qst'; effectiveFrom: string; rate: string; baseIncludesGst: boolean }) {
    const r = await this.rates.add(body);
    return { tax: r.tax, effectiveFrom: r.effectiveFrom, rate: r.rate, baseIncludesGst: r.baseIncludesGst };
  }
}

@Controller(apiPath('billing-items'))
export class BillingItemsController {
  constructor(private readonly items: ItemsService) {}

  private toDto(item: BillingItem, prices: BillingItemPrice[]): z.infer<typeof itemSchema> {
    return {
      id: item.id,
      code: item.code,
      name: this.items.name(item),
      nameFr: item.nameFr,
      nameEn: item.nameEn,
      kind: item.kind,
      meter: item.meter,
      taxCode: item.taxCode,
      accountCode: item.accountCode,
      active: item.active,
      prices: prices.map((price) => ({ effectiveFrom: price.effectiveFrom, unitPrice: price.unitPrice })),
    };
  }

  @Get()
  @Authorize()
  @Doc({ summary: 'What the co-op sells besides plans: one-off items, metered extras, hourly services, with prices', tags: ['billing'], response: z.object({ data: z.array(itemSchema) }) })
  async list() {
    return { data: (await this.items.list()).map(({ item, prices }) => this.toDto(item, prices)) };
  }

  @Post()
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: 'Add an item to the catalogue (staff)', tags: ['billing'], response: itemSchema, status: 201 })
  async create(@ValidBody(createItemSchema) body: z.infer<typeof createItemSchema>) {
    const item = await this.items.create(body);
    return this.toDto(item, (await this.items.list()).find((entry) => entry.item.id === item.id)!.prices);
  }

  @Post(':id/prices')
  @Authorize('billing:write')
  @Idempotent()
  @Doc({ summary: "Set an item's unit price from a day on (staff)", tags: ['billing'], response: itemSchema, status: 201 })
  async addPrice(@IdParam() id: string, @ValidBody(z.strictObject({ effectiveFrom: z.iso.date(), unitPrice: decimalSchema })) body: { effectiveFrom: string; unitPrice: string }) {
    await this.items.addPrice(id, body);
    const entry = (await this.items.list()).find((candidate) => candidate.item.id === id)!;
    return this.toDto(entry.item, entry.prices);
  }
}
