import { Inject, Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, CONFIG, Conflict, I18nService, MailService, NotFound, newId, Organization, TransactionalConnection, type Config } from '@ruche/core';
import { LedgerService } from '@ruche/accounting';
import type { z } from 'zod';
import { ProfilesService } from '../customers/profiles.service.js';
import { addDays } from '../runs/periods.js';
import { formatMoney } from '../shared/format.js';
import { Invoice } from './invoice.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import type { creditNoteSchema } from './invoice.schemas.js';
import { InvoicesService, lineRows, today } from './invoices.service.js';
import { formatDocumentNumber, seriesOf } from './numbering.js';
import { documentHash, documentJournalLines } from './posting.js';

export const INVOICE_PDF_RENDERER = 'billing:invoice-pdf';

/**
 * Posting: the next gapless number of its series, the balanced journal entry, the frozen
 * document and its mail, in the caller's transaction. Corrections are credit notes (or a
 * void, reversing the entry, while nothing was paid or credited).
 */
@Injectable()
export class PostingService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly invoices: InvoicesService,
    private readonly ledger: LedgerService,
    private readonly profiles: ProfilesService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async post(id: string, options: { whenClosed: 'refuse' | 'next_open' }): Promise<Invoice> {
    assertStaffScope('billing:write');
    const posted = await this.postDraft(id, options);
    await this.audit.record({ action: `${posted.kind}.post`, targetType: 'invoice', targetId: id, organizationId: posted.organizationId, after: { number: posted.number, totalCents: posted.totalCents } });
    return posted;
  }

  /** Posts one draft (no access check: runs call it from their job). */
  async postDraft(id: string, options: { whenClosed: 'refuse' | 'next_open' }): Promise<Invoice> {
    const draft = await this.invoices.lockDraft(id);
    const lines = await this.db.getRepository(InvoiceLine).find({ where: { invoiceId: id }, order: { position: 'ASC' } });
    if (lines.length === 0) throw new Conflict('invoice_empty');
    const postingDate = await this.ledger.postingDate(draft.issueDate, options.whenClosed);
    const moved = postingDate !== draft.issueDate;
    const organization = await this.db.getRepository(Organization).findOneByOrFail({ id: draft.organizationId });
    // A credit note keeps the rates and exemption of what it credits; an invoice is taxed as of its posting date.
    const original = draft.creditsInvoiceId ? await this.db.getRepository(Invoice).findOneByOrFail({ id: draft.creditsInvoiceId }) : null;
    const totals = original
      ? await this.invoices.totalsFor(draft.organizationId, lines, original.issueDate, invoiceExemption(original))
      : await this.invoices.totalsFor(draft.organizationId, lines, postingDate);
    const series = seriesOf(draft.kind, postingDate);
    const [next] = await this.db.query<{ sequence: number }>(
      `INSERT INTO invoice_number_series (series, next_sequence) VALUES ($1, 2)
       ON CONFLICT (series) DO UPDATE SET next_sequence = invoice_number_series.next_sequence + 1
       RETURNING next_sequence - 1 AS sequence`,
      [series],
    );
    const sequence = next!.sequence;
    const number = formatDocumentNumber(draft.kind === 'invoice' ? this.config.invoiceNumberFormat : this.config.creditNoteNumberFormat, Number(postingDate.slice(0, 4)), sequence);
    const frozen: Invoice = {
      ...draft,
      ...totals,
      status: 'posted',
      series,
      sequence,
      number,
      issueDate: postingDate,
      dueDate: moved || draft.dueDate < postingDate ? addDays(postingDate, this.config.invoiceDueDays) : draft.dueDate,
      customerName: organization.name,
      locale: organization.locale,
    };
    const entry =
      frozen.totalCents > 0
        ? await this.ledger.post({
            date: postingDate,
            description: `${draft.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${number} — ${organization.name}`,
            source: { type: draft.kind, id },
            lines: documentJournalLines(frozen, lines),
          })
        : null;
    await this.db.getRepository(Invoice).update(
      { id },
      {
        status: 'posted',
        series,
        sequence,
        number,
        issueDate: frozen.issueDate,
        dueDate: frozen.dueDate,
        customerName: frozen.customerName,
        locale: frozen.locale,
        taxableCents: frozen.taxableCents,
        zeroRatedCents: frozen.zeroRatedCents,
        exemptCents: frozen.exemptCents,
        subtotalCents: frozen.subtotalCents,
        gstCents: frozen.gstCents,
        qstCents: frozen.qstCents,
        totalCents: frozen.totalCents,
        gstRate: frozen.gstRate,
        qstRate: frozen.qstRate,
        taxExemptionReason: frozen.taxExemptionReason,
        taxExemptionNumber: frozen.taxExemptionNumber,
        journalEntryId: entry?.id ?? null,
        contentHash: documentHash(frozen, lines),
        postedAt: new Date(),
      },
    );
    if (draft.kind === 'credit_note') await this.settleIfPaid(draft.creditsInvoiceId!);
    await this.sendDocument(frozen);
    return this.db.getRepository(Invoice).findOneByOrFail({ id });
  }

  /** Marks an invoice paid once payments and credit notes cover it. */
  async settleIfPaid(invoiceId: string): Promise<void> {
    const invoice = await this.db.getRepository(Invoice).findOneByOrFail({ id: invoiceId });
    if (invoice.status !== 'posted') return;
    const settled = (await this.invoices.settlements([invoiceId])).get(invoiceId)!;
    if (InvoicesService.balanceCents(invoice, settled) === 0) await this.db.getRepository(Invoice).update({ id: invoiceId }, { status: 'paid', paidAt: new Date() });
  }

  /** Voids a posted invoice nothing was paid on or credited to: its entry is reversed. */
  async void(id: string, options: { date?: string | undefined; whenClosed: 'refuse' | 'next_open' }): Promise<Invoice> {
    assertStaffScope('billing:write');
    const invoice = await this.lockPosted(id);
    const settled = (await this.invoices.settlements([id])).get(id)!;
    if (settled.paidCents > 0 || settled.creditedCents > 0) throw new Conflict('invoice_has_payments');
    const reversal = invoice.journalEntryId
      ? await this.ledger.reverse(invoice.journalEntryId, { date: options.date ?? today(), whenClosed: options.whenClosed, description: `Void of ${invoice.number} — ${invoice.customerName}`, source: { type: 'invoice_void', id } })
      : null;
    await this.db.getRepository(Invoice).update({ id }, { status: 'void', voidedAt: new Date(), voidEntryId: reversal?.id ?? null });
    await this.audit.record({ action: 'invoice.void', targetType: 'invoice', targetId: id, organizationId: invoice.organizationId, before: { status: invoice.status } });
    return this.db.getRepository(Invoice).findOneByOrFail({ id });
  }

  /** A credit note on a posted invoice (the whole invoice without lines), posted at once with its reversing entry. */
  async creditNote(invoiceId: string, input: z.infer<typeof creditNoteSchema>): Promise<Invoice> {
    assertStaffScope('billing:write');
    const invoice = await this.lockPosted(invoiceId);
    if (invoice.kind !== 'invoice') throw new Conflict('invoice_not_posted', { status: invoice.kind });
    const lines = input.lines
      ? await this.invoices.resolveLines(input.lines, invoice.issueDate, invoice.locale)
      : (await this.db.getRepository(InvoiceLine).find({ where: { invoiceId }, order: { position: 'ASC' } })).map(({ id: _id, invoiceId: _invoice, position: _position, sourceKind: _kind, sourceId: _source, ...line }) => ({ ...line, sourceKind: null, sourceId: null }));
    const id = newId();
    const issueDate = input.issueDate ?? today();
    const totals = await this.invoices.totalsFor(invoice.organizationId, lines, invoice.issueDate, invoiceExemption(invoice));
    const creditCents = totals.totalCents;
    const balance = InvoicesService.balanceCents(invoice, (await this.invoices.settlements([invoiceId])).get(invoiceId)!);
    if (creditCents > balance) throw new Conflict('credit_exceeds_balance', { credit: formatMoney(creditCents, this.i18n.locale), balance: formatMoney(balance, this.i18n.locale) });
    await this.db.getRepository(Invoice).insert({
      id,
      organizationId: invoice.organizationId,
      kind: 'credit_note',
      status: 'draft',
      creditsInvoiceId: invoiceId,
      issueDate,
      dueDate: issueDate,
      customerName: invoice.customerName,
      locale: invoice.locale,
      memo: input.memo ?? null,
      ...totals,
    });
    await this.db.getRepository(InvoiceLine).insert(lineRows(id, lines));
    const posted = await this.postDraft(id, { whenClosed: input.whenClosed });
    await this.audit.record({ action: 'credit_note.post', targetType: 'invoice', targetId: id, organizationId: invoice.organizationId, after: { credits: invoice.number, number: posted.number, totalCents: posted.totalCents } });
    return posted;
  }

  private async lockPosted(id: string): Promise<Invoice> {
    const invoice = await this.db.getRepository(Invoice).createQueryBuilder('i').setLock('pessimistic_write').where('i.id = :id', { id }).getOne();
    if (!invoice) throw new NotFound();
    if (invoice.status !== 'posted') throw new Conflict('invoice_not_posted', { status: invoice.status });
    return invoice;
  }

  /** Mails the document to the organisation's billing contact, in its language, with the PDF (rendered at delivery). */
  private async sendDocument(invoice: Invoice): Promise<void> {
    const to = await this.profiles.billingContact(invoice.organizationId);
    if (!to) return;
    const locale = invoice.locale;
    const credited = invoice.creditsInvoiceId ? await this.db.getRepository(Invoice).findOneBy({ id: invoice.creditsInvoiceId }) : null;
    const params = { number: invoice.number, coop: this.config.coopName, date: invoice.issueDate, due: invoice.dueDate, total: formatMoney(invoice.totalCents, locale), invoice: credited?.number ?? '' };
    await this.mail.send({
      to,
      subject: this.i18n.t(`billing.mail.${invoice.kind}.subject`, params, locale),
      text: this.i18n.t(`billing.mail.${invoice.kind}.body`, params, locale),
      attachments: [{ renderer: INVOICE_PDF_RENDERER, reference: invoice.id }],
    });
  }
}

function invoiceExemption(invoice: Pick<Invoice, 'taxExemptionReason' | 'taxExemptionNumber'>) {
  return { taxExemptionReason: invoice.taxExemptionReason, taxExemptionNumber: invoice.taxExemptionNumber };
}
