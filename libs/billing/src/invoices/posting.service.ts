import { Inject, Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, CONFIG, Conflict, I18nService, MailService, NotFound, newId, Organization, TransactionalConnection, type Config } from '@ruche/core';
import { BILLING_SETTINGS, type BillingSettings } from '../billing.settings.js';
import { LedgerService } from '@ruche/accounting';
import { In } from 'typeorm';
import type { z } from 'zod';
import { ProfilesService } from '../customers/profiles.service.js';
import { TaxRatesService } from '../taxes/tax-rates.service.js';
import { addDays } from '../runs/periods.js';
import { formatMoney } from '../shared/format.js';
import { Invoice } from './invoice.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import type { creditNoteSchema } from './invoice.schemas.js';
import { exemptionOf, InvoicesService, lineRows, today, TOTALS_ALIASES, TOTALS_TARGETS, totalsFrom, totalsUnnest, totalsWith } from './invoices.service.js';
import { formatDocumentNumber, seriesOf } from './numbering.js';
import { documentHash, documentJournalLines } from './posting.js';

export const INVOICE_PDF_RENDERER = 'billing:invoice-pdf';

/** What posting reads of a line: its totals, its journal account and what the document hash covers. */
type PostedLine = Pick<InvoiceLine, 'position' | 'description' | 'quantity' | 'unitPrice' | 'amountCents' | 'taxCode' | 'accountCode'>;

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
    private readonly taxRates: TaxRatesService,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(BILLING_SETTINGS.token) private readonly settings: BillingSettings,
  ) {}

  async post(id: string, options: { whenClosed: 'refuse' | 'next_open' }): Promise<Invoice> {
    assertStaffScope('billing:write');
    const posted = await this.postDraft(id, options);
    await this.audit.record({ action: `${posted.kind}.post`, targetType: 'invoice', targetId: id, organizationId: posted.organizationId, after: { number: posted.number, totalCents: posted.totalCents } });
    return posted;
  }

  /** Posts one draft (no access check: runs call it from their job). */
  async postDraft(id: string, options: { whenClosed: 'refuse' | 'next_open' }): Promise<Invoice> {
    return (await this.postDrafts([id], options))[0]!;
  }

  /**
   * Posts drafts together, in a few round trips whatever their number: each gets the next
   * number of its series (in id order), its totals as of its posting date, its journal entry,
   * and its mail. All or none: it runs in the caller's transaction.
   */
  async postDrafts(ids: string[], options: { whenClosed: 'refuse' | 'next_open' }): Promise<Invoice[]> {
    if (ids.length === 0) return [];
    const repository = this.db.getRepository(Invoice);
    const drafts = await repository.createQueryBuilder('i').setLock('pessimistic_write').where('i.id IN (:...ids)', { ids }).orderBy('i.id').getMany();
    if (drafts.length !== new Set(ids).size) throw new NotFound();
    const notDraft = drafts.find((draft) => draft.status !== 'draft');
    if (notDraft) throw new Conflict('invoice_not_draft', { status: notDraft.status });
    // Plain rows, not entities: a run posts thousands of lines at once.
    const allLines = await this.db.query<{ invoice_id: string; position: number; description: string; quantity: string; unit_price: string; amount_cents: string; tax_code: InvoiceLine['taxCode']; account_code: string }>(
      `SELECT invoice_id, position, description, quantity, unit_price, amount_cents, tax_code, account_code FROM invoice_lines WHERE invoice_id = ANY($1::uuid[]) ORDER BY invoice_id, position`,
      [ids],
    );
    const linesOf = new Map<string, PostedLine[]>();
    for (const row of allLines) {
      const line = { position: row.position, description: row.description, quantity: row.quantity, unitPrice: row.unit_price, amountCents: Number(row.amount_cents), taxCode: row.tax_code, accountCode: row.account_code };
      const list = linesOf.get(row.invoice_id);
      if (list) list.push(line);
      else linesOf.set(row.invoice_id, [line]);
    }
    if (drafts.some((draft) => !linesOf.has(draft.id))) throw new Conflict('invoice_empty');

    const organizationIds = [...new Set(drafts.map((draft) => draft.organizationId))];
    const organizations = new Map((await this.db.getRepository(Organization).findBy({ id: In(organizationIds) })).map((o) => [o.id, o]));
    const profiles = await this.profiles.profilesOf(organizationIds);
    const creditedIds = drafts.flatMap((draft) => (draft.creditsInvoiceId ? [draft.creditsInvoiceId] : []));
    const originals = new Map(creditedIds.length ? (await repository.findBy({ id: In(creditedIds) })).map((i) => [i.id, i]) : []);
    const postingDates = new Map<string, string>();
    const frozen: Invoice[] = [];
    for (const draft of drafts) {
      if (!postingDates.has(draft.issueDate)) postingDates.set(draft.issueDate, await this.ledger.postingDate(draft.issueDate, options.whenClosed));
      const postingDate = postingDates.get(draft.issueDate)!;
      const organization = organizations.get(draft.organizationId)!;
      const original = draft.creditsInvoiceId ? originals.get(draft.creditsInvoiceId)! : null;
      // A credit note keeps the rates and exemption of what it credits; an invoice is taxed as of its posting date.
      const totals = original
        ? totalsWith(linesOf.get(draft.id)!, await this.taxRates.ratesOn(original.issueDate), invoiceExemption(original))
        : totalsWith(linesOf.get(draft.id)!, await this.taxRates.ratesOn(postingDate), exemptionOf(profiles.get(draft.organizationId)));
      const moved = postingDate !== draft.issueDate;
      frozen.push({
        ...draft,
        ...totals,
        status: 'posted',
        series: seriesOf(draft.kind, postingDate),
        issueDate: postingDate,
        dueDate: moved || draft.dueDate < postingDate ? addDays(postingDate, this.settings.invoiceDueDays) : draft.dueDate,
        customerName: organization.name,
        locale: organization.locale,
      });
    }
    await this.number(frozen);

    const postings = frozen.flatMap((invoice) =>
      invoice.totalCents > 0
        ? [
            {
              date: invoice.issueDate,
              description: this.journalText(invoice.kind, { number: invoice.number, customer: invoice.customerName }),
              source: { type: invoice.kind, id: invoice.id },
              lines: documentJournalLines(invoice, linesOf.get(invoice.id)!),
            },
          ]
        : [],
    );
    const entries = await this.ledger.postMany(postings);
    const entryOf = new Map(postings.map((posting, index) => [posting.source.id, entries[index]!.id]));
    for (const invoice of frozen) {
      invoice.journalEntryId = entryOf.get(invoice.id) ?? null;
      invoice.contentHash = documentHash(invoice, linesOf.get(invoice.id)!);
    }
    const column = <K extends keyof Invoice>(key: K) => frozen.map((invoice) => invoice[key]);
    const totals = totalsUnnest(frozen, 9);
    await this.db.query(
      `UPDATE invoices i SET (status, series, sequence, number, issue_date, due_date, customer_name, locale, journal_entry_id, content_hash, posted_at, updated_at, ${TOTALS_TARGETS})
                           = ('posted', u.series, u.sequence, u.number, u.issue_date, u.due_date, u.customer_name, u.locale, u.entry, u.hash, now(), now(), ${totalsFrom('u')})
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::date[], $6::date[], $7::text[], $8::text[], ${totals.sql}, $20::uuid[], $21::text[])
           AS u(id, series, sequence, number, issue_date, due_date, customer_name, locale, ${TOTALS_ALIASES}, entry, hash)
        WHERE i.id = u.id`,
      [
        column('id'),
        column('series'),
        column('sequence'),
        column('number'),
        column('issueDate'),
        column('dueDate'),
        column('customerName'),
        column('locale'),
        ...totals.parameters,
        column('journalEntryId'),
        column('contentHash'),
      ],
    );
    for (const invoiceId of new Set(creditedIds)) await this.settleIfPaid(invoiceId);
    await this.sendDocuments(frozen, originals);
    return repository.find({ where: { id: In(ids) }, order: { id: 'ASC' } });
  }

  /** Takes the next numbers of each series, in id order: the series row's lock keeps them gapless until commit. */
  private async number(invoices: Invoice[]): Promise<void> {
    const bySeries = new Map<string, Invoice[]>();
    for (const invoice of invoices) bySeries.set(invoice.series!, [...(bySeries.get(invoice.series!) ?? []), invoice]);
    for (const [series, members] of [...bySeries].sort(([a], [b]) => a.localeCompare(b))) {
      const [taken] = await this.db.query<{ first: number }>(
        `INSERT INTO invoice_number_series (series, next_sequence) VALUES ($1, $2::int + 1)
         ON CONFLICT (series) DO UPDATE SET next_sequence = invoice_number_series.next_sequence + $2::int
         RETURNING next_sequence - $2::int AS first`,
        [series, members.length],
      );
      members.forEach((invoice, index) => {
        invoice.sequence = taken!.first + index;
        const format = invoice.kind === 'invoice' ? this.settings.invoiceNumberFormat : this.settings.creditNoteNumberFormat;
        invoice.number = formatDocumentNumber(format, Number(invoice.issueDate.slice(0, 4)), invoice.sequence);
      });
    }
  }

  /** An entry's description, in the co-op's language (the books are kept in one). */
  journalText(kind: 'invoice' | 'credit_note' | 'void' | 'payment' | 'allocation', params: Record<string, string | null>): string {
    return this.i18n.t(`billing.journal.${kind}`, params, this.config.defaultLocale).slice(0, 500);
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
      ? await this.ledger.reverse(invoice.journalEntryId, { date: options.date ?? today(), whenClosed: options.whenClosed, description: this.journalText('void', { number: invoice.number, customer: invoice.customerName }), source: { type: 'invoice_void', id } })
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

  /** Mails each document to its organisation's billing contact, in its language, with the PDF (rendered at delivery). */
  private async sendDocuments(invoices: Invoice[], originals: Map<string, Invoice>): Promise<void> {
    const contacts = await this.profiles.billingContacts([...new Set(invoices.map((invoice) => invoice.organizationId))]);
    const messages = invoices.flatMap((invoice) => {
      const to = contacts.get(invoice.organizationId);
      if (!to) return [];
      const locale = invoice.locale;
      const params = {
        number: invoice.number,
        coop: this.settings.coopName,
        date: invoice.issueDate,
        due: invoice.dueDate,
        total: formatMoney(invoice.totalCents, locale),
        invoice: invoice.creditsInvoiceId ? (originals.get(invoice.creditsInvoiceId)?.number ?? '') : '',
      };
      return [
        {
          to,
          subject: this.i18n.t(`billing.mail.${invoice.kind}.subject`, params, locale),
          text: this.i18n.t(`billing.mail.${invoice.kind}.body`, params, locale),
          attachments: [{ renderer: INVOICE_PDF_RENDERER, reference: invoice.id }],
        },
      ];
    });
    await this.mail.sendMany(messages);
  }
}

function invoiceExemption(invoice: Pick<Invoice, 'taxExemptionReason' | 'taxExemptionNumber'>) {
  return { taxExemptionReason: invoice.taxExemptionReason, taxExemptionNumber: invoice.taxExemptionNumber };
}
