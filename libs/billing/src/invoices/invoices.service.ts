import { Inject, Injectable } from '@nestjs/common';
import {
  assertOrganizationAccess,
  assertStaffScope,
  AuditService,
  Conflict,
  NotFound,
  newId,
  Organization,
  paginate,
  requireActor,
  TransactionalConnection,
  visibleOrganizationIds,
  type Locale,
  type Page,
} from '@ruche/core';
import { BILLING_SETTINGS, type BillingSettings } from '../billing.settings.js';
import { ACCOUNTS, centsToDecimal, LedgerService } from '@ruche/accounting';
import { In, type SelectQueryBuilder } from 'typeorm';
import type { z } from 'zod';
import { ProfilesService } from '../customers/profiles.service.js';
import { ItemsService } from '../items/items.service.js';
import type { DraftLine } from '../runs/draft-lines.js';
import { addDays } from '../runs/periods.js';
import { fixed, lineAmountCents } from '../shared/decimal.js';
import { TaxRatesService } from '../taxes/tax-rates.service.js';
import { invoiceTotals, type InvoiceTotals, type TaxRates } from '../taxes/taxes.js';
import { Invoice } from './invoice.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import type { createInvoiceSchema, invoiceSchema, LineInput, ListInvoicesQuery, updateInvoiceSchema } from './invoice.schemas.js';

export type InvoiceDto = z.infer<typeof invoiceSchema>;
export const today = () => new Date().toISOString().slice(0, 10);

/** Where the lines of a new draft or credit note are written, and the columns they need. */
export function lineRows(invoiceId: string, lines: DraftLine[]): Array<Omit<InvoiceLine, 'invoice'>> {
  return lines.map((line, index) => ({ id: newId(), invoiceId, position: index + 1, ...line }));
}

export interface Exemption {
  taxExemptionReason: string | null;
  taxExemptionNumber: string | null;
}
export type DocumentTotals = InvoiceTotals & { gstRate: string; qstRate: string } & Exemption;

/** An organisation's exemption as an invoice records it (none without a profile that says so). */
export function exemptionOf(profile: { taxExempt: boolean; exemptionReason: string | null; exemptionNumber: string | null } | undefined): Exemption {
  return profile?.taxExempt ? { taxExemptionReason: profile.exemptionReason, taxExemptionNumber: profile.exemptionNumber } : { taxExemptionReason: null, taxExemptionNumber: null };
}

/** Totals and the rates and exemption they were computed with, as the invoice stores them. */
export function totalsWith(lines: ReadonlyArray<Pick<DraftLine, 'amountCents' | 'taxCode'>>, rates: TaxRates, exemption: Exemption): DocumentTotals {
  return { ...invoiceTotals(lines, rates, exemption.taxExemptionReason !== null), gstRate: rates.gst, qstRate: rates.qst, ...exemption };
}

/** The totals columns, as bulk statements (a run's drafts, a run's posting) pass them to unnest. */
const TOTALS: Array<[key: keyof DocumentTotals, type: string]> = [
  ['taxableCents', 'bigint'],
  ['zeroRatedCents', 'bigint'],
  ['exemptCents', 'bigint'],
  ['subtotalCents', 'bigint'],
  ['gstCents', 'bigint'],
  ['qstCents', 'bigint'],
  ['totalCents', 'bigint'],
  ['gstRate', 'numeric'],
  ['qstRate', 'numeric'],
  ['taxExemptionReason', 'text'],
  ['taxExemptionNumber', 'text'],
];
/** Their names inside the unnest alias, and the invoice columns they set. */
export const TOTALS_ALIASES = 'taxable, zero_rated, exempt, subtotal, gst, qst, total, gst_rate, qst_rate, reason, exemption_number';
/** The totals read from an unnest aliased `alias`. */
export const totalsFrom = (alias: string) => TOTALS_ALIASES.split(', ').map((name) => `${alias}.${name}`).join(', ');
export const TOTALS_TARGETS = 'taxable_cents, zero_rated_cents, exempt_cents, subtotal_cents, gst_cents, qst_cents, total_cents, gst_rate, qst_rate, tax_exemption_reason, tax_exemption_number';

/** `$n::bigint[], …` for the totals, numbered from `first`, and the arrays to pass for them. */
export function totalsUnnest(rows: ReadonlyArray<InvoiceTotals & { gstRate: string | null; qstRate: string | null } & Exemption>, first: number): { sql: string; parameters: unknown[][] } {
  return {
    sql: TOTALS.map(([, type], index) => `$${first + index}::${type}[]`).join(', '),
    parameters: TOTALS.map(([key]) => rows.map((row) => row[key] ?? null)),
  };
}

/** Drafts (made by hand or by runs) and reading invoices: clients see their own, posted ones only. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly taxRates: TaxRatesService,
    private readonly items: ItemsService,
    private readonly profiles: ProfilesService,
    private readonly ledger: LedgerService,
    @Inject(BILLING_SETTINGS.token) private readonly settings: BillingSettings,
  ) {}

  /** Lines typed by an accountant or picked from the catalogue, priced on `day`. */
  async resolveLines(inputs: LineInput[], day: string, locale: Locale): Promise<DraftLine[]> {
    const lines: DraftLine[] = [];
    for (const input of inputs) {
      if ('itemCode' in input) {
        const { item, unitPrice } = await this.items.priced(input.itemCode, day);
        lines.push({
          kind: 'one_off',
          description: input.description ?? (locale === 'fr' ? item.nameFr : item.nameEn),
          quantity: fixed(input.quantity, 4),
          unitPrice: fixed(unitPrice, 4),
          amountCents: lineAmountCents(input.quantity, unitPrice),
          taxCode: item.taxCode,
          accountCode: item.accountCode,
          periodStart: null,
          periodEnd: null,
          itemCode: item.code,
          sourceKind: null,
          sourceId: null,
        });
      } else {
        lines.push({
          kind: 'manual',
          description: input.description,
          quantity: fixed(input.quantity, 4),
          unitPrice: fixed(input.unitPrice, 4),
          amountCents: lineAmountCents(input.quantity, input.unitPrice),
          taxCode: input.taxCode,
          accountCode: input.accountCode ?? ACCOUNTS.servicesRevenue,
          periodStart: null,
          periodEnd: null,
          itemCode: null,
          sourceKind: null,
          sourceId: null,
        });
      }
    }
    // A line whose account takes no postings would stop the invoice at posting: refused now.
    await this.ledger.assertActive(lines.map((line) => line.accountCode));
    return lines;
  }

  async createDraft(input: z.infer<typeof createInvoiceSchema>): Promise<Invoice> {
    assertStaffScope('billing:write');
    const organization = await this.db.getRepository(Organization).findOneBy({ id: input.organizationId });
    if (!organization) throw new NotFound();
    const issueDate = input.issueDate ?? today();
    const id = newId();
    const lines = await this.resolveLines(input.lines, issueDate, organization.locale);
    await this.db.getRepository(Invoice).insert({
      id,
      organizationId: organization.id,
      kind: 'invoice',
      status: 'draft',
      issueDate,
      dueDate: input.dueDate ?? addDays(issueDate, this.settings.invoiceDueDays),
      customerName: organization.name,
      locale: organization.locale,
      memo: input.memo ?? null,
      ...(await this.totalsFor(organization.id, lines, issueDate)),
    });
    await this.db.getRepository(InvoiceLine).insert(lineRows(id, lines));
    await this.audit.record({ action: 'invoice.create', targetType: 'invoice', targetId: id, organizationId: organization.id, after: { issueDate, lines: input.lines } });
    return this.db.getRepository(Invoice).findOneByOrFail({ id });
  }

  async updateDraft(id: string, changes: z.infer<typeof updateInvoiceSchema>): Promise<Invoice> {
    assertStaffScope('billing:write');
    const invoice = await this.lockDraft(id);
    const issueDate = changes.issueDate ?? invoice.issueDate;
    let lines: DraftLine[];
    if (changes.lines) {
      lines = await this.resolveLines(changes.lines, issueDate, invoice.locale);
      // Lines from elsewhere that are dropped go back to wait for the next run (FK ON DELETE SET NULL).
      await this.db.getRepository(InvoiceLine).delete({ invoiceId: id });
      await this.db.getRepository(InvoiceLine).insert(lineRows(id, lines));
    } else {
      lines = await this.db.getRepository(InvoiceLine).find({ where: { invoiceId: id }, order: { position: 'ASC' } });
    }
    await this.db.getRepository(Invoice).update(
      { id },
      {
        issueDate,
        dueDate: changes.dueDate ?? (changes.issueDate ? addDays(issueDate, this.settings.invoiceDueDays) : invoice.dueDate),
        ...(changes.memo !== undefined ? { memo: changes.memo } : {}),
        ...(await this.totalsFor(invoice.organizationId, lines, issueDate)),
      },
    );
    await this.audit.record({ action: 'invoice.update', targetType: 'invoice', targetId: id, organizationId: invoice.organizationId, after: changes });
    return this.db.getRepository(Invoice).findOneByOrFail({ id });
  }

  /**
   * Lines added after a draft's own (staff), typed or from the catalogue (priced on its day); the
   * lines it has keep everything (source, period, account), and its totals are worked out again.
   */
  async addDraftLines(id: string, inputs: LineInput[]): Promise<Invoice> {
    assertStaffScope('billing:write');
    const invoice = await this.lockDraft(id);
    const existing = await this.db.getRepository(InvoiceLine).find({ where: { invoiceId: id }, order: { position: 'ASC' } });
    const added = await this.resolveLines(inputs, invoice.issueDate, invoice.locale);
    const after = existing.at(-1)?.position ?? 0;
    await this.db.getRepository(InvoiceLine).insert(lineRows(id, added).map((row, index) => ({ ...row, position: after + index + 1 })));
    await this.db.getRepository(Invoice).update({ id }, await this.totalsFor(invoice.organizationId, [...existing, ...added], invoice.issueDate));
    await this.audit.record({ action: 'invoice.add_lines', targetType: 'invoice', targetId: id, organizationId: invoice.organizationId, after: { lines: inputs } });
    return this.db.getRepository(Invoice).findOneByOrFail({ id });
  }

  async deleteDraft(id: string): Promise<void> {
    assertStaffScope('billing:write');
    const invoice = await this.lockDraft(id);
    await this.db.getRepository(Invoice).delete({ id });
    await this.audit.record({ action: 'invoice.delete', targetType: 'invoice', targetId: id, organizationId: invoice.organizationId, before: { totalCents: invoice.totalCents } });
  }

  /**
   * The totals of lines on a day, with the organisation's exemption (or the one given: a
   * credit note keeps its invoice's).
   */
  async totalsFor(organizationId: string, lines: ReadonlyArray<Pick<DraftLine, 'amountCents' | 'taxCode'>>, day: string, exemption?: Exemption): Promise<DocumentTotals> {
    const profile = exemption ? undefined : (await this.profiles.profilesOf([organizationId])).get(organizationId);
    return totalsWith(lines, await this.taxRates.ratesOn(day), exemption ?? exemptionOf(profile));
  }

  /** A draft, locked for the rest of the transaction; anything else is a conflict. */
  async lockDraft(id: string): Promise<Invoice> {
    const invoice = await this.db.getRepository(Invoice).createQueryBuilder('i').setLock('pessimistic_write').where('i.id = :id', { id }).getOne();
    if (!invoice) throw new NotFound();
    if (invoice.status !== 'draft') throw new Conflict('invoice_not_draft', { status: invoice.status });
    return invoice;
  }

  /** An invoice the caller may see: staff any; clients their organisation's, once posted. */
  async visible(id: string): Promise<Invoice> {
    const invoice = await this.db.getRepository(Invoice).findOneBy({ id });
    if (!invoice) throw new NotFound();
    assertOrganizationAccess('billing:read', invoice.organizationId);
    if (invoice.status === 'draft' && requireActor().grants.get('billing:read') !== 'all') throw new NotFound();
    return invoice;
  }

  /** The filtered query behind the list, the CSV exports and the line export. */
  query(filters: Omit<ListInvoicesQuery, 'limit' | 'cursor' | 'format'>): SelectQueryBuilder<Invoice> {
    const qb = this.db.getRepository(Invoice).createQueryBuilder('i');
    const visible = visibleOrganizationIds('billing:read');
    if (visible !== 'all') {
      qb.andWhere('i.organizationId = ANY(:visible::uuid[])', { visible }).andWhere(`i.status <> 'draft'`);
    }
    if (filters.organizationId) qb.andWhere('i.organizationId = :organizationId', { organizationId: filters.organizationId });
    if (filters.status) qb.andWhere('i.status = :status', { status: filters.status });
    if (filters.kind) qb.andWhere('i.kind = :kind', { kind: filters.kind });
    if (filters.period) qb.andWhere(`to_char(i.issueDate, 'YYYY-MM') = :period`, { period: filters.period });
    if (filters.from) qb.andWhere('i.issueDate >= :from', { from: filters.from });
    if (filters.to) qb.andWhere('i.issueDate <= :to', { to: filters.to });
    if (filters.billingRunId) qb.andWhere('i.billingRunId = :billingRunId', { billingRunId: filters.billingRunId });
    if (filters.updatedSince) qb.andWhere('i.updatedAt >= :updatedSince', { updatedSince: filters.updatedSince });
    return qb;
  }

  async list(query: ListInvoicesQuery): Promise<Page<Invoice>> {
    return paginate(this.query(query), query);
  }

  /** What was paid on and credited to each invoice. */
  async settlements(ids: string[]): Promise<Map<string, { paidCents: number; creditedCents: number }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; paid: string; credited: string }>(
      `SELECT i.id,
              coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a WHERE a.invoice_id = i.id), 0) AS paid,
              coalesce((SELECT sum(c.total_cents) FROM invoices c WHERE c.credits_invoice_id = i.id AND c.status IN ('posted', 'paid')), 0) AS credited
         FROM invoices i WHERE i.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { paidCents: Number(row.paid), creditedCents: Number(row.credited) }]));
  }

  /** What is still owed: the total less payments and credit notes (nothing on a draft's behalf, a void or a credit note). */
  static balanceCents(invoice: Pick<Invoice, 'kind' | 'status' | 'totalCents'>, settled: { paidCents: number; creditedCents: number }): number {
    if (invoice.kind === 'credit_note' || invoice.status === 'void') return 0;
    return invoice.totalCents - settled.paidCents - settled.creditedCents;
  }

  async toDtos(invoices: Invoice[], withLines: boolean): Promise<InvoiceDto[]> {
    const settled = await this.settlements(invoices.map((invoice) => invoice.id));
    const lines = withLines
      ? await this.db.getRepository(InvoiceLine).find({ where: { invoiceId: In(invoices.map((invoice) => invoice.id)) }, order: { position: 'ASC' } })
      : [];
    return invoices.map((invoice) => {
      const settlement = settled.get(invoice.id) ?? { paidCents: 0, creditedCents: 0 };
      const exempt = invoice.taxExemptionReason !== null;
      return {
        id: invoice.id,
        organizationId: invoice.organizationId,
        customerName: invoice.customerName,
        kind: invoice.kind,
        status: invoice.status,
        number: invoice.number,
        issueDate: invoice.issueDate,
        dueDate: invoice.dueDate,
        billingPeriod: invoice.billingPeriod,
        billingRunId: invoice.billingRunId,
        creditsInvoiceId: invoice.creditsInvoiceId,
        locale: invoice.locale,
        currency: 'CAD' as const,
        subtotal: centsToDecimal(invoice.subtotalCents),
        taxes: [
          { tax: 'gst' as const, rate: exempt ? null : invoice.gstRate, amount: centsToDecimal(invoice.gstCents) },
          { tax: 'qst' as const, rate: exempt ? null : invoice.qstRate, amount: centsToDecimal(invoice.qstCents) },
        ],
        total: centsToDecimal(invoice.totalCents),
        paid: centsToDecimal(settlement.paidCents),
        credited: centsToDecimal(settlement.creditedCents),
        balance: centsToDecimal(InvoicesService.balanceCents(invoice, settlement)),
        taxExemption: exempt ? { reason: invoice.taxExemptionReason!, number: invoice.taxExemptionNumber ?? '' } : null,
        memo: invoice.memo,
        postedAt: invoice.postedAt?.toISOString() ?? null,
        updatedAt: invoice.updatedAt.toISOString(),
        ...(withLines
          ? {
              lines: lines
                .filter((line) => line.invoiceId === invoice.id)
                .map((line) => ({
                  id: line.id,
                  position: line.position,
                  kind: line.kind,
                  description: line.description,
                  quantity: line.quantity,
                  unitPrice: line.unitPrice,
                  amount: centsToDecimal(line.amountCents),
                  taxCode: line.taxCode,
                  periodStart: line.periodStart,
                  periodEnd: line.periodEnd,
                  itemCode: line.itemCode,
                  sourceKind: line.sourceKind,
                  sourceId: line.sourceId,
                })),
            }
          : {}),
      };
    });
  }
}
