// The accounting area: one chunk, loaded when an accountant opens its pages.
export { BillingRunsPage } from './runs';
export { InvoicesPage, InvoicePage } from './invoices';
export { PaymentsPage } from './payments';
export { ReportsPage, PeriodsPage } from './reports';
export { TaxRatesPage, BillingItemsPage } from './catalogue';
export { AccountsPage } from './accounts';
export { NewInvoicePage } from './drafts';
