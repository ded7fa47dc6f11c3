import { Injectable, type OnModuleInit } from '@nestjs/common';
import { assertOrganizationAccess, assertStaffScope, I18nService, NotFound, Organization, TransactionalConnection } from '@ruche/core';
import { ACCOUNTS, ConsistencyService, LedgerService } from '@ruche/accounting';
import { documentHash } from '../invoices/posting.js';
import { today } from '../invoices/invoices.service.js';
import { daysBetween } from '../runs/periods.js';

/** Aging buckets by days past due. */
export function agingBucket(daysPastDue: number): 'current' | 'days1to30' | 'days31to60' | 'days61to90' | 'over90' {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return 'days1to30';
  if (daysPastDue <= 60) return 'days31to60';
  if (daysPastDue <= 90) return 'days61to90';
  return 'over90';
}

/** The balance of each posted invoice at a date: its total less what was paid and credited by then. */
const BALANCES_AT = `
  SELECT i.id, i.organization_id, i.customer_name, i.number, i.issue_date::text AS issue_date, i.due_date::text AS due_date, i.total_cents,
         i.total_cents
         - coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a WHERE a.invoice_id = i.id AND a.allocated_on <= $1), 0)
         - coalesce((SELECT sum(c.total_cents) FROM invoices c WHERE c.credits_invoice_id = i.id AND c.status IN ('posted', 'paid') AND c.issue_date <= $1), 0) AS balance
    FROM invoices i
   WHERE i.kind = 'invoice' AND i.status IN ('posted', 'paid') AND i.issue_date <= $1`;

/** Reports that need invoices (aging, sales taxes, statements), and the checks that tie invoices to the ledger. */
@Injectable()
export class BillingReportsService implements OnModuleInit {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly ledger: LedgerService,
    private readonly consistency: ConsistencyService,
    private readonly i18n: I18nService,
  ) {}

  onModuleInit(): void {
    this.consistency.register('receivables_match_open_invoices', () => this.receivablesMismatches());
    this.consistency.register('customer_credits_match_payments', () => this.creditMismatches());
    this.consistency.register('posted_documents_unchanged', () => this.changedDocuments());
  }

  async aging(at: string = today()) {
    assertStaffScope('accounting:read');
    const rows = await this.db.query<{ organization_id: string; customer_name: string; due_date: string; balance: string }>(`SELECT * FROM (${BALANCES_AT}) b WHERE balance <> 0 ORDER BY customer_name, organization_id`, [at]);
    const customers = new Map<string, { organizationId: string; name: string; currentCents: number; days1to30Cents: number; days31to60Cents: number; days61to90Cents: number; over90Cents: number; totalCents: number }>();
    for (const row of rows) {
      const customer = customers.get(row.organization_id) ?? { organizationId: row.organization_id, name: row.customer_name, currentCents: 0, days1to30Cents: 0, days31to60Cents: 0, days61to90Cents: 0, over90Cents: 0, totalCents: 0 };
      const bucket = `${agingBucket(daysBetween(row.due_date, at))}Cents` as const;
      customer[bucket] += Number(row.balance);
      customer.totalCents += Number(row.balance);
      customers.set(row.organization_id, customer);
    }
    const list = [...customers.values()];
    const sum = (key: 'currentCents' | 'days1to30Cents' | 'days31to60Cents' | 'days61to90Cents' | 'over90Cents' | 'totalCents') => list.reduce((total, customer) => total + customer[key], 0);
    return {
      at,
      customers: list,
      totals: { currentCents: sum('currentCents'), days1to30Cents: sum('days1to30Cents'), days31to60Cents: sum('days31to60Cents'), days61to90Cents: sum('days61to90Cents'), over90Cents: sum('over90Cents'), totalCents: sum('totalCents') },
    };
  }

  /** The GST/QST return of a period: sales by tax treatment and each tax collected, credit notes deducted. */
  async salesTaxReturn(from: string, to: string) {
    assertStaffScope('accounting:read');
    const [row] = await this.db.query<Record<string, string>>(
      `SELECT coalesce(sum(sign * taxable_cents), 0) AS taxable, coalesce(sum(sign * zero_rated_cents), 0) AS zero_rated,
              coalesce(sum(sign * exempt_cents), 0) AS exempt, coalesce(sum(sign * gst_cents), 0) AS gst, coalesce(sum(sign * qst_cents), 0) AS qst,
              coalesce(sum(sign * subtotal_cents) FILTER (WHERE tax_exemption_reason IS NOT NULL), 0) AS exempt_customers,
              count(*) FILTER (WHERE kind = 'invoice')::int AS invoices, count(*) FILTER (WHERE kind = 'credit_note')::int AS credit_notes
         FROM (SELECT *, CASE kind WHEN 'invoice' THEN 1 ELSE -1 END AS sign FROM invoices
                WHERE status IN ('posted', 'paid') AND issue_date BETWEEN $1 AND $2) documents`,
      [from, to],
    );
    return {
      from,
      to,
      taxableSalesCents: Number(row!.taxable),
      zeroRatedSalesCents: Number(row!.zero_rated),
      exemptSalesCents: Number(row!.exempt),
      salesToExemptCustomersCents: Number(row!.exempt_customers),
      gstCollectedCents: Number(row!.gst),
      qstCollectedCents: Number(row!.qst),
      invoices: Number(row!.invoices),
      creditNotes: Number(row!.credit_notes),
    };
  }

  /** What an organisation owes, document by document, with a running balance (negative: its credit). */
  async statement(organizationId: string, from: string | undefined, to: string = today()) {
    assertOrganizationAccess('billing:read', organizationId);
    const organization = await this.db.getRepository(Organization).findOneBy({ id: organizationId });
    if (!organization) throw new NotFound();
    const rows = await this.db.query<{ kind: string; id: string; day: string; label: string; amount: string }>(
      `SELECT kind, id, issue_date::text AS day, number AS label, CASE kind WHEN 'invoice' THEN total_cents ELSE -total_cents END AS amount
         FROM invoices WHERE organization_id = $1 AND status IN ('posted', 'paid') AND issue_date <= $2
       UNION ALL
       SELECT 'payment', id, received_on::text, reference, -amount_cents FROM payments WHERE organization_id = $1 AND received_on <= $2
       ORDER BY day, kind DESC, id`,
      [organizationId, to],
    );
    let balance = 0;
    let opening = 0;
    const lines: Array<{ date: string; kind: string; documentId: string; description: string; amountCents: number; balanceCents: number }> = [];
    for (const row of rows) {
      balance += Number(row.amount);
      if (from && row.day < from) {
        opening = balance;
        continue;
      }
      const key = row.kind === 'payment' ? 'payment' : row.kind;
      lines.push({
        date: row.day,
        kind: row.kind,
        documentId: row.id,
        description: this.i18n.t(`billing.statement.${key}`, { number: row.label, reference: row.label }),
        amountCents: Number(row.amount),
        balanceCents: balance,
      });
    }
    return { organizationId, name: organization.name, from: from ?? null, to, openingBalanceCents: opening, lines, closingBalanceCents: balance };
  }

  private async receivablesMismatches(): Promise<unknown[]> {
    const ledger = await this.ledger.partyBalances(ACCOUNTS.receivables);
    const rows = await this.db.query<{ organization_id: string; balance: string }>(`SELECT organization_id, sum(balance) AS balance FROM (${BALANCES_AT}) b GROUP BY organization_id`, ['infinity']);
    const invoices = new Map(rows.map((row) => [row.organization_id, Number(row.balance)]));
    const problems: unknown[] = [];
    for (const party of new Set([...ledger.keys(), ...invoices.keys()])) {
      const inLedger = ledger.get(party) ?? 0;
      const open = invoices.get(party) ?? 0;
      if (inLedger !== open) problems.push({ organizationId: party, receivableCents: inLedger, openInvoicesCents: open });
    }
    return problems;
  }

  private async creditMismatches(): Promise<unknown[]> {
    const ledger = await this.ledger.partyBalances(ACCOUNTS.customerCredits);
    const rows = await this.db.query<{ organization_id: string; unallocated: string }>(
      `SELECT p.organization_id, sum(p.amount_cents - coalesce((SELECT sum(a.amount_cents) FROM payment_allocations a WHERE a.payment_id = p.id), 0)) AS unallocated
         FROM payments p GROUP BY p.organization_id`,
    );
    const payments = new Map(rows.map((row) => [row.organization_id, Number(row.unallocated)]));
    const problems: unknown[] = [];
    for (const party of new Set([...ledger.keys(), ...payments.keys()])) {
      // A credit balance: credits exceed debits.
      const inLedger = -(ledger.get(party) ?? 0);
      const unallocated = payments.get(party) ?? 0;
      if (inLedger !== unallocated) problems.push({ organizationId: party, creditCents: inLedger, unallocatedCents: unallocated });
    }
    return problems;
  }

  private async changedDocuments(): Promise<unknown[]> {
    const problems: unknown[] = [];
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const invoices = await this.db.query<Record<string, any>>(
        `SELECT i.*, i.issue_date::text AS issue_day, i.due_date::text AS due_day, (SELECT json_agg(l ORDER BY l.position) FROM invoice_lines l WHERE l.invoice_id = i.id) AS lines
           FROM invoices i WHERE i.status <> 'draft' AND i.id > $1 ORDER BY i.id LIMIT 1000`,
        [after],
      );
      for (const row of invoices) {
        const hash = documentHash(
          {
            id: row.id,
            kind: row.kind,
            organizationId: row.organization_id,
            number: row.number,
            issueDate: row.issue_day,
            dueDate: row.due_day,
            customerName: row.customer_name,
            creditsInvoiceId: row.credits_invoice_id,
            subtotalCents: Number(row.subtotal_cents),
            gstCents: Number(row.gst_cents),
            qstCents: Number(row.qst_cents),
            totalCents: Number(row.total_cents),
            taxExemptionReason: row.tax_exemption_reason,
            taxExemptionNumber: row.tax_exemption_number,
          },
          (row.lines ?? []).map((line: Record<string, any>) => ({
            position: line.position,
            description: line.description,
            quantity: numericText(line.quantity),
            unitPrice: numericText(line.unit_price),
            amountCents: Number(line.amount_cents),
            taxCode: line.tax_code,
            accountCode: line.account_code,
          })),
        );
        if (hash !== row.content_hash) problems.push({ invoiceId: row.id, number: row.number });
      }
      if (invoices.length < 1000) return problems;
      after = invoices[invoices.length - 1]!.id;
    }
  }
}

/** numeric(14,4) as PostgreSQL writes it as text ("1.0000"); json_agg gives a number. */
function numericText(value: string | number): string {
  return typeof value === 'number' ? value.toFixed(4) : value;
}
