// The client area: one chunk, loaded when a person opens an organisation's pages.
export { ClientLayout } from './common';
export { DashboardPage } from './dashboard';
export { DomainsPage, DomainRecordsPage } from './domains';
export { SitesPage } from './sites';
export { MailboxesPage, AliasesPage } from './mail';
export { DatabasesPage } from './databases';
export { MembersPage } from './members';
export { ClientInvoicesPage } from './invoices';
