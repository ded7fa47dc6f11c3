import { Module, type OnModuleInit } from '@nestjs/common';
import { I18nService, MailService } from '@ruche/core';
import { AccountingModule, AccountUses } from '@ruche/accounting';
import { HostingModule } from '@ruche/hosting';
import { CustomersController } from './customers/customers.controller.js';
import { ProfilesService } from './customers/profiles.service.js';
import { BillableLinesService } from './external/billable-lines.service.js';
import { billingEn, billingFr } from './i18n/catalogues.js';
import { InvoiceDocumentsService } from './invoices/invoice-documents.service.js';
import { InvoiceLinesController, InvoicesController } from './invoices/invoices.controller.js';
import { InvoicesService } from './invoices/invoices.service.js';
import { INVOICE_PDF_RENDERER, PostingService } from './invoices/posting.service.js';
import { BillingItemsController, TaxRatesController } from './items/catalogue.controller.js';
import { ItemsService } from './items/items.service.js';
import { BankStatementsService } from './payments/bank-statements.service.js';
import { BankStatementLinesController, BankStatementsController, PaymentsController } from './payments/payments.controller.js';
import { PaymentsService } from './payments/payments.service.js';
import { BillingReportsController } from './reports/billing-reports.controller.js';
import { BillingReportsService } from './reports/billing-reports.service.js';
import { BillingRunsController } from './runs/billing-runs.controller.js';
import { BillingRunsService } from './runs/billing-runs.service.js';
import { TaxRatesService } from './taxes/tax-rates.service.js';

/** Usage becomes invoices with GST/QST; posting, payments, credit notes, billing runs; lines from elsewhere. */
@Module({
  imports: [HostingModule, AccountingModule],
  controllers: [
    BillingRunsController,
    InvoicesController,
    InvoiceLinesController,
    PaymentsController,
    BankStatementsController,
    BankStatementLinesController,
    CustomersController,
    TaxRatesController,
    BillingItemsController,
    BillingReportsController,
  ],
  providers: [
    TaxRatesService,
    ItemsService,
    ProfilesService,
    InvoicesService,
    PostingService,
    InvoiceDocumentsService,
    BillableLinesService,
    BillingRunsService,
    PaymentsService,
    BankStatementsService,
    BillingReportsService,
  ],
  exports: [BillableLinesService],
})
export class BillingModule implements OnModuleInit {
  constructor(
    private readonly i18n: I18nService,
    private readonly mail: MailService,
    private readonly documents: InvoiceDocumentsService,
    private readonly accountUses: AccountUses,
    private readonly items: ItemsService,
  ) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: billingEn, fr: billingFr });
    this.mail.registerAttachmentRenderer(INVOICE_PDF_RENDERER, (invoiceId) => this.documents.attachment(invoiceId));
    this.accountUses.register((code) => this.items.usesOf(code));
  }
}
