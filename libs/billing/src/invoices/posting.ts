import { sha256 } from '@ruche/core';
import { ACCOUNTS, type PostingLine } from '@ruche/accounting';
import type { Invoice } from './invoice.entity.js';
import type { InvoiceLine } from './invoice-line.entity.js';

/**
 * The journal lines of a posted document: the customer's receivable against revenue per
 * account and each tax collected. A credit note is the same entry the other way round.
 */
export function documentJournalLines(
  invoice: Pick<Invoice, 'kind' | 'organizationId' | 'totalCents' | 'gstCents' | 'qstCents'>,
  lines: ReadonlyArray<Pick<InvoiceLine, 'accountCode' | 'amountCents'>>,
): PostingLine[] {
  const credit = invoice.kind === 'invoice';
  const side = (cents: number) => (credit ? { creditCents: cents } : { debitCents: cents });
  const opposite = (cents: number) => (credit ? { debitCents: cents } : { creditCents: cents });
  const revenue = new Map<string, number>();
  for (const line of lines) revenue.set(line.accountCode, (revenue.get(line.accountCode) ?? 0) + line.amountCents);
  const out: PostingLine[] = [{ account: ACCOUNTS.receivables, ...opposite(invoice.totalCents), partyId: invoice.organizationId }];
  for (const [account, cents] of [...revenue].sort(([a], [b]) => a.localeCompare(b))) if (cents > 0) out.push({ account, ...side(cents) });
  if (invoice.gstCents > 0) out.push({ account: ACCOUNTS.gstPayable, ...side(invoice.gstCents) });
  if (invoice.qstCents > 0) out.push({ account: ACCOUNTS.qstPayable, ...side(invoice.qstCents) });
  return out;
}

/** What the consistency check recomputes: the document and its lines as they were posted. */
export function documentHash(
  invoice: Pick<Invoice, 'id' | 'kind' | 'organizationId' | 'number' | 'issueDate' | 'dueDate' | 'customerName' | 'creditsInvoiceId' | 'subtotalCents' | 'gstCents' | 'qstCents' | 'totalCents' | 'taxExemptionReason' | 'taxExemptionNumber'>,
  lines: ReadonlyArray<Pick<InvoiceLine, 'position' | 'description' | 'quantity' | 'unitPrice' | 'amountCents' | 'taxCode' | 'accountCode'>>,
): string {
  return sha256(
    JSON.stringify([
      invoice.id,
      invoice.kind,
      invoice.organizationId,
      invoice.number,
      invoice.issueDate,
      invoice.dueDate,
      invoice.customerName,
      invoice.creditsInvoiceId,
      [invoice.subtotalCents, invoice.gstCents, invoice.qstCents, invoice.totalCents].map(Number),
      invoice.taxExemptionReason,
      invoice.taxExemptionNumber,
      [...lines].sort((a, b) => a.position - b.position).map((line) => [line.position, line.description, line.quantity, line.unitPrice, Number(line.amountCents), line.taxCode, line.accountCode]),
    ]),
  );
}
