import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { ApiError, setRequestLanguage } from './api/client';
import { LocaleProvider } from './i18n/i18n';
import type { Locale, Messages } from './i18n/locale';
import { AppLayout, HomeRedirect, NotFoundPage, PublicLayout, RouteError } from './layout';
import { isPublicPath } from './public-paths';
import { meQuery } from './session';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // Retry what may pass (network, 5xx, 429), never what will not (404, 403, 422).
      retry: (failures, error) => failures < 3 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500 || error.status === 429),
      refetchOnWindowFocus: true,
    },
    mutations: { retry: false },
  },
});

// One chunk per area: a client never downloads the sysadmin pages, and the other way round.
const publicArea = () => import('./areas/public');
const clientArea = () => import('./areas/client');
const accountArea = () => import('./areas/account');
const sysadminArea = () => import('./areas/sysadmin');
const accountingArea = () => import('./areas/accounting');
const workerArea = () => import('./areas/worker');

type Area = Promise<Record<string, unknown>>;
const page = (area: () => Area, name: string): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await area())[name] as React.ComponentType }),
});

const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    // Nothing to show while the first page's chunk arrives (and no warning that nothing was given).
    HydrateFallback: () => null,
    children: [
      {
        element: <PublicLayout />,
        children: [
          { path: 'sign-in', ...page(publicArea, 'SignInPage') },
          { path: 'forgot-password', ...page(publicArea, 'ForgotPasswordPage') },
          { path: 'reset-password', ...page(publicArea, 'ResetPasswordPage') },
          { path: 'invitation', ...page(publicArea, 'InvitationPage') },
        ],
      },
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <HomeRedirect /> },
          {
            path: 'o/:orgId',
            ...page(clientArea, 'ClientLayout'),
            children: [
              { index: true, ...page(clientArea, 'DashboardPage') },
              { path: 'domains', ...page(clientArea, 'DomainsPage') },
              { path: 'domains/:domainId', ...page(clientArea, 'DomainRecordsPage') },
              { path: 'sites', ...page(clientArea, 'SitesPage') },
              { path: 'mailboxes', ...page(clientArea, 'MailboxesPage') },
              { path: 'aliases', ...page(clientArea, 'AliasesPage') },
              { path: 'databases', ...page(clientArea, 'DatabasesPage') },
              { path: 'members', ...page(clientArea, 'MembersPage') },
              { path: 'invoices', ...page(clientArea, 'ClientInvoicesPage') },
            ],
          },
          { path: 'account', element: <Navigate to="/account/profile" replace /> },
          { path: 'account/profile', ...page(accountArea, 'ProfilePage') },
          { path: 'account/tokens', ...page(accountArea, 'TokensPage') },
          { path: 'admin', element: <Navigate to="/admin/queue" replace /> },
          { path: 'admin/servers', ...page(sysadminArea, 'ServersPage') },
          { path: 'admin/queue', ...page(sysadminArea, 'QueuePage') },
          { path: 'admin/resources', ...page(sysadminArea, 'ResourcesPage') },
          { path: 'admin/audit', ...page(sysadminArea, 'AuditPage') },
          { path: 'accounting', element: <Navigate to="/accounting/runs" replace /> },
          { path: 'accounting/runs', ...page(accountingArea, 'BillingRunsPage') },
          { path: 'accounting/invoices', ...page(accountingArea, 'InvoicesPage') },
          { path: 'accounting/invoices/new', ...page(accountingArea, 'NewInvoicePage') },
          { path: 'accounting/invoices/:invoiceId', ...page(accountingArea, 'InvoicePage') },
          { path: 'accounting/payments', ...page(accountingArea, 'PaymentsPage') },
          { path: 'accounting/reports', ...page(accountingArea, 'ReportsPage') },
          { path: 'accounting/periods', ...page(accountingArea, 'PeriodsPage') },
          { path: 'accounting/tax-rates', ...page(accountingArea, 'TaxRatesPage') },
          { path: 'accounting/items', ...page(accountingArea, 'BillingItemsPage') },
          { path: 'accounting/accounts', ...page(accountingArea, 'AccountsPage') },
          { path: 'worker', element: <Navigate to="/worker/timesheet" replace /> },
          { path: 'worker/timesheet', ...page(workerArea, 'TimesheetPage') },
          { path: 'worker/hours', ...page(workerArea, 'MyHoursPage') },
          { path: 'worker/eligibility', ...page(workerArea, 'EligibilityPage') },
          { path: 'worker/finances', ...page(workerArea, 'FinancesPage') },
          { path: 'worker/approval', ...page(workerArea, 'ApprovalPage') },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

const router = createBrowserRouter(routes);

/** Renders the panel in `locale`, whose catalogue the boot (main.tsx) has already loaded. */
export function startApp(container: HTMLElement, locale: Locale, messages: Messages): void {
  // The router is already loading the first page's chunk: on a signed-in page, ask who is signed
  // in at the same time, rather than once the chunk has come and the layout asks.
  setRequestLanguage(locale);
  if (!isPublicPath(window.location.pathname)) void queryClient.prefetchQuery(meQuery);
  createRoot(container).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <LocaleProvider initial={{ locale, messages }}>
          <RouterProvider router={router} />
        </LocaleProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
