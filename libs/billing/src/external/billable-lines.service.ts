import { Injectable } from '@nestjs/common';
import { DomainError, newId, TransactionalConnection } from '@ruche/core';
import { ACCOUNTS, LedgerService } from '@ruche/accounting';
import { In, IsNull } from 'typeorm';
import { fixed } from '../shared/decimal.js';
import type { TaxCode } from '../taxes/taxes.js';
import { BillableLine } from './billable-line.entity.js';

/** A line another lib wants billed: its source (kind and id) is its identity. */
export interface BillableLineInput {
  organizationId: string;
  sourceKind: string;
  sourceId: string;
  description: { fr: string; en: string };
  /** Decimal text ("1.25" hours). */
  quantity: string;
  /** Decimal text, dollars ("60.00"). */
  unitPrice: string;
  taxCode?: TaxCode;
  /** The revenue account (services revenue by default). */
  accountCode?: string;
  /** The day the service was given: the line goes on the first run whose period ends after it. */
  serviceDate: string;
}

export type BillableLineState = { sourceId: string; state: 'pending' | 'invoiced'; invoiceId: string | null; invoiceNumber: string | null; invoiceStatus: string | null };

/**
 * Billing's door for "billable lines from elsewhere" (timekeeping's approved hours). Submitting
 * is idempotent by source; the organisation's next billing run bills each line once and only
 * once, even when the run repeats or resumes after a crash (the line is claimed in the same
 * transaction as the invoice line it becomes, which is unique by source too).
 */
@Injectable()
export class BillableLinesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly ledger: LedgerService,
  ) {}

  /** Records lines in the caller's transaction; a source already submitted is left as it is. Answers how many are new. */
  async submit(lines: BillableLineInput[]): Promise<number> {
    if (lines.length === 0) return 0;
    for (const line of lines) {
      if (!/^[a-z][a-z0-9_]{0,39}$/.test(line.sourceKind) || line.sourceId.length === 0 || line.sourceId.length > 200) throw new DomainError('invalid_request', 400, { reason: 'billable line source' });
      if (!/^\d{1,10}(\.\d{1,4})?$/.test(line.quantity) || !/^\d{1,10}(\.\d{1,4})?$/.test(line.unitPrice)) throw new DomainError('invalid_request', 400, { reason: 'billable line amount' });
    }
    await this.ledger.assertActive(lines.map((line) => line.accountCode ?? ACCOUNTS.servicesRevenue));
    const inserted = await this.db.query(
      `INSERT INTO billable_lines (id, organization_id, source_kind, source_id, description_fr, description_en, quantity, unit_price, tax_code, account_code, service_date)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::text[], $10::text[], $11::date[])
       ON CONFLICT (source_kind, source_id) DO NOTHING RETURNING id`,
      [
        lines.map(() => newId()),
        lines.map((line) => line.organizationId),
        lines.map((line) => line.sourceKind),
        lines.map((line) => line.sourceId),
        lines.map((line) => line.description.fr.slice(0, 500)),
        lines.map((line) => line.description.en.slice(0, 500)),
        lines.map((line) => fixed(line.quantity, 4)),
        lines.map((line) => fixed(line.unitPrice, 4)),
        lines.map((line) => line.taxCode ?? 'taxable'),
        lines.map((line) => line.accountCode ?? ACCOUNTS.servicesRevenue),
        lines.map((line) => line.serviceDate),
      ],
    );
    return inserted.length;
  }

  /** Where each source stands: waiting, or on which invoice (timekeeping locks what is invoiced). */
  async states(sourceKind: string, sourceIds: string[]): Promise<BillableLineState[]> {
    const rows = await this.db.query<{ source_id: string; invoice_id: string | null; number: string | null; status: string | null }>(
      `SELECT b.source_id, l.invoice_id, i.number, i.status
         FROM billable_lines b LEFT JOIN invoice_lines l ON l.id = b.invoice_line_id LEFT JOIN invoices i ON i.id = l.invoice_id
        WHERE b.source_kind = $1 AND b.source_id = ANY($2::text[])`,
      [sourceKind, sourceIds],
    );
    return rows.map((row) => ({ sourceId: row.source_id, state: row.invoice_id ? 'invoiced' : 'pending', invoiceId: row.invoice_id, invoiceNumber: row.number, invoiceStatus: row.status }));
  }

  /** Takes back lines not yet on an invoice (an entry un-approved); answers how many were withdrawn. */
  async withdraw(sourceKind: string, sourceIds: string[]): Promise<number> {
    const result = await this.db.getRepository(BillableLine).delete({ sourceKind, sourceId: In(sourceIds), invoiceLineId: IsNull() });
    return result.affected ?? 0;
  }
}
