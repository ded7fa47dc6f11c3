import { Inject, Injectable } from '@nestjs/common';
import { I18nService, TransactionalConnection, type RenderedAttachment } from '@ruche/core';
import { BILLING_SETTINGS, type BillingSettings } from '../billing.settings.js';
import { Invoice } from './invoice.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import { InvoicesService } from './invoices.service.js';
import { renderInvoicePdf } from './invoice-pdf.js';

/** Invoice PDFs: for the API (after the caller's access check) and for mail (rendered at delivery). */
@Injectable()
export class InvoiceDocumentsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly invoices: InvoicesService,
    private readonly i18n: I18nService,
    @Inject(BILLING_SETTINGS.token) private readonly settings: BillingSettings,
  ) {}

  async pdfOf(id: string): Promise<{ filename: string; content: Buffer }> {
    return this.render(await this.invoices.visible(id));
  }

  /** The mail attachment renderer: the invoice is posted, so rendering it again gives the same document. */
  async attachment(id: string): Promise<RenderedAttachment> {
    const { filename, content } = await this.render(await this.db.getRepository(Invoice).findOneByOrFail({ id }));
    return { filename, contentType: 'application/pdf', content };
  }

  private async render(invoice: Invoice): Promise<{ filename: string; content: Buffer }> {
    const lines = await this.db.getRepository(InvoiceLine).find({ where: { invoiceId: invoice.id }, order: { position: 'ASC' } });
    const settled = (await this.invoices.settlements([invoice.id])).get(invoice.id) ?? { paidCents: 0, creditedCents: 0 };
    const credited = invoice.creditsInvoiceId ? await this.db.getRepository(Invoice).findOneBy({ id: invoice.creditsInvoiceId }) : null;
    const locale = invoice.locale;
    const content = await renderInvoicePdf(
      {
        kind: invoice.kind,
        status: invoice.status,
        number: invoice.number,
        issueDate: invoice.issueDate,
        dueDate: invoice.dueDate,
        locale,
        customerName: invoice.customerName,
        billingPeriod: invoice.billingPeriod,
        creditsNumber: credited?.number ?? null,
        lines: lines.map((line) => ({ description: line.description, quantity: line.quantity, unitPrice: line.unitPrice, amountCents: line.amountCents, taxCode: line.taxCode })),
        subtotalCents: invoice.subtotalCents,
        gstCents: invoice.gstCents,
        qstCents: invoice.qstCents,
        gstRate: invoice.gstRate,
        qstRate: invoice.qstRate,
        totalCents: invoice.totalCents,
        paidCents: settled.paidCents + settled.creditedCents,
        balanceCents: InvoicesService.balanceCents(invoice, settled),
        exemption: invoice.taxExemptionReason ? { reason: invoice.taxExemptionReason, number: invoice.taxExemptionNumber ?? '' } : null,
      },
      { name: this.settings.coopName, addressLines: this.settings.coopAddressLines, gstNumber: this.settings.gstNumber, qstNumber: this.settings.qstNumber },
      (key, params = {}) => this.i18n.t(key, params, locale),
    );
    const name = invoice.number ?? `draft-${invoice.id.slice(0, 8)}`;
    return { filename: `${invoice.kind === 'invoice' ? (locale === 'fr' ? 'facture' : 'invoice') : locale === 'fr' ? 'note-de-credit' : 'credit-note'}-${name}.pdf`, content };
  }
}
