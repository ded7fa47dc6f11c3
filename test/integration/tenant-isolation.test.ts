import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiGenerator, RequestContext, type RouteInfo } from '@ruche/core';
import { ArchivesService } from '@ruche/hosting';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeDomain, makeOrganization, makeServers, makeToken } from '../support/factories.js';

/**
 * For every route the API has, a client of organisation A aims at organisation B's things
 * and must get nothing: 404 for what it may not see (B's ids in the path or in the body), 403
 * for what clients may never do, lists without B's rows. B's rows must be unchanged afterwards.
 * A route missing from this table fails the test: new endpoints must say how they are isolated.
 */
interface Target {
  organizationB: { id: string };
  memberB: { userId: string };
  tokenB: { id: string };
  invitationB: { id: string };
  archiveB: { id: string };
  domainB: { id: string; name: string };
  recordB: { id: string };
  siteB: { id: string };
  mailboxB: { id: string };
  aliasB: { id: string };
  databaseB: { id: string };
  databaseUserB: { id: string };
  server: { id: string };
  plan: { id: string };
  invoiceB: { id: string };
  draftB: { id: string };
  paymentB: { id: string };
  run: { id: string };
  bankLine: { id: string };
  entry: { id: string };
  account: { id: string };
  item: { id: string };
  contractB: { id: string; tasks: Array<{ id: string }> };
  timeEntryB: { id: string };
  timer: { id: string };
  committee: { id: string };
  worker: { id: string };
}

type Attack = (t: Target) => { url: string; body?: unknown };

const ATTACKS: Record<string, Attack | 'self-only' | 'public'> = {
  'post /api/v1/auth/login': 'public',
  'post /api/v1/auth/password-reset': 'public',
  'post /api/v1/auth/password-reset/confirm': 'public',
  'post /api/v1/invitations/preview': 'public',
  'post /api/v1/invitations/accept-new': 'public',
  'post /api/v1/invitations/decline': 'public',
  // Only with the token mailed to the invited address, and only for that address's account.
  'post /api/v1/invitations/accept': 'self-only',
  'get /api/openapi.json': 'public',
  'get /api/docs': 'public',
  'get /api/docs/init.js': 'public',
  'get /health': 'public',
  'get /ready': 'public',
  'get /metrics': 'public',
  // These act on the caller's own account only: there is no id to aim elsewhere.
  'post /api/v1/auth/logout': 'self-only',
  'get /api/v1/auth/me': 'self-only',
  'patch /api/v1/auth/me': 'self-only',
  'post /api/v1/auth/password': 'self-only',
  'post /api/v1/auth/2fa/setup': 'self-only',
  'post /api/v1/auth/2fa/enable': 'self-only',
  'post /api/v1/auth/2fa/disable': 'self-only',
  'get /api/v1/tokens': 'self-only',
  // The token making the request, and only it.
  'delete /api/v1/tokens/current': 'self-only',

  'post /api/v1/tokens': (t) => ({ url: '/api/v1/tokens', body: { name: 'x', scopes: ['hosting:read'], organizationId: t.organizationB.id } }),
  'delete /api/v1/tokens/:id': (t) => ({ url: `/api/v1/tokens/${t.tokenB.id}` }),
  'get /api/v1/organizations': () => ({ url: '/api/v1/organizations' }),
  'post /api/v1/organizations': () => ({ url: '/api/v1/organizations', body: { name: 'x', locale: 'fr' } }),
  'get /api/v1/organizations/:id': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}` }),
  'patch /api/v1/organizations/:id': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}`, body: { name: 'taken over' } }),
  'get /api/v1/organizations/:id/members': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/members` }),
  'post /api/v1/organizations/:id/members': (t) => ({
    url: `/api/v1/organizations/${t.organizationB.id}/members`,
    body: { email: 'intruder@example.org', role: 'owner' },
  }),
  'get /api/v1/organizations/:id/invitations': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/invitations` }),
  'delete /api/v1/organizations/:id/invitations/:invitationId': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/invitations/${t.invitationB.id}` }),
  'get /api/v1/invitations': () => ({ url: '/api/v1/invitations' }),
  'patch /api/v1/organizations/:id/members/:userId': (t) => ({
    url: `/api/v1/organizations/${t.organizationB.id}/members/${t.memberB.userId}`,
    body: { role: 'member' },
  }),
  'delete /api/v1/organizations/:id/members/:userId': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/members/${t.memberB.userId}` }),
  'get /api/v1/users': () => ({ url: '/api/v1/users' }),
  'post /api/v1/users': () => ({ url: '/api/v1/users', body: { email: 'intruder2@example.org', staffRoles: ['sysadmin'] } }),
  'get /api/v1/users/:id': (t) => ({ url: `/api/v1/users/${t.memberB.userId}` }),
  'patch /api/v1/users/:id': (t) => ({ url: `/api/v1/users/${t.memberB.userId}`, body: { disabled: true } }),
  'get /api/v1/audit-events': () => ({ url: '/api/v1/audit-events' }),

  // Hosting: every route aimed at B's resources, or at B's organisation in the body.
  'get /api/v1/organizations/:id/hosting': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/hosting` }),
  'get /api/v1/organizations/:id/usage': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/usage` }),
  'put /api/v1/organizations/:id/subscription': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/subscription`, body: { planId: t.plan.id } }),
  'put /api/v1/organizations/:id/quota-overrides': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/quota-overrides`, body: { domains: 0 } }),
  'get /api/v1/plans': () => ({ url: '/api/v1/plans' }),
  'get /api/v1/plans/:id': (t) => ({ url: `/api/v1/plans/${t.plan.id}` }),
  'post /api/v1/plans': () => ({
    url: '/api/v1/plans',
    body: { code: 'free-for-me', nameFr: 'x', nameEn: 'x', quotas: { domains: 999, sites: 0, mailboxes: 0, mail_storage_mb: 0, databases: 0, database_storage_mb: 0, web_storage_mb: 0 }, monthlyPriceCents: 0 },
  }),
  'patch /api/v1/plans/:id': (t) => ({ url: `/api/v1/plans/${t.plan.id}`, body: { quotas: { domains: 0 } } }),
  'post /api/v1/plans/:id/prices': (t) => ({ url: `/api/v1/plans/${t.plan.id}/prices`, body: { effectiveFrom: '2030-01-01', monthlyPriceCents: 0 } }),
  'get /api/v1/servers': () => ({ url: '/api/v1/servers' }),
  'post /api/v1/servers': () => ({ url: '/api/v1/servers', body: { name: 'rogue', address: '127.0.0.1', transport: 'local', services: ['web'] } }),
  'get /api/v1/servers/:id': (t) => ({ url: `/api/v1/servers/${t.server.id}` }),
  'patch /api/v1/servers/:id': (t) => ({ url: `/api/v1/servers/${t.server.id}`, body: { status: 'paused' } }),
  'delete /api/v1/servers/:id': (t) => ({ url: `/api/v1/servers/${t.server.id}` }),
  'get /api/v1/domains': () => ({ url: '/api/v1/domains' }),
  'post /api/v1/domains': (t) => ({ url: '/api/v1/domains', body: { organizationId: t.organizationB.id, name: 'planted.org' } }),
  'post /api/v1/domains/batch': (t) => ({ url: '/api/v1/domains/batch', body: { organizationId: t.organizationB.id, domains: [{ name: 'planted-batch.org' }] } }),
  'get /api/v1/domains/:id': (t) => ({ url: `/api/v1/domains/${t.domainB.id}` }),
  'patch /api/v1/domains/:id': (t) => ({ url: `/api/v1/domains/${t.domainB.id}`, body: { mailEnabled: false } }),
  'delete /api/v1/domains/:id': (t) => ({ url: `/api/v1/domains/${t.domainB.id}` }),
  'get /api/v1/domains/:id/records': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/records` }),
  'get /api/v1/domains/:id/mail-records': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/mail-records` }),
  'post /api/v1/domains/:id/records': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/records`, body: { type: 'A', name: 'evil', value: '192.0.2.66' } }),
  'get /api/v1/domains/:id/records/:recordId': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/records/${t.recordB.id}` }),
  'patch /api/v1/domains/:id/records/:recordId': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/records/${t.recordB.id}`, body: { value: '192.0.2.66' } }),
  'delete /api/v1/domains/:id/records/:recordId': (t) => ({ url: `/api/v1/domains/${t.domainB.id}/records/${t.recordB.id}` }),
  'get /api/v1/sites': () => ({ url: '/api/v1/sites' }),
  'post /api/v1/sites': (t) => ({ url: '/api/v1/sites', body: { organizationId: t.organizationB.id, hostnames: [`x.${t.domainB.name}`] } }),
  'get /api/v1/sites/:id': (t) => ({ url: `/api/v1/sites/${t.siteB.id}` }),
  'patch /api/v1/sites/:id': (t) => ({ url: `/api/v1/sites/${t.siteB.id}`, body: { redirectTo: 'https://evil.example.net/' } }),
  'delete /api/v1/sites/:id': (t) => ({ url: `/api/v1/sites/${t.siteB.id}` }),
  'get /api/v1/mailboxes': () => ({ url: '/api/v1/mailboxes' }),
  'post /api/v1/mailboxes': (t) => ({ url: '/api/v1/mailboxes', body: { organizationId: t.organizationB.id, address: `spy@${t.domainB.name}`, password: 'long-enough-password', quotaMb: 10 } }),
  'get /api/v1/mailboxes/:id': (t) => ({ url: `/api/v1/mailboxes/${t.mailboxB.id}` }),
  'patch /api/v1/mailboxes/:id': (t) => ({ url: `/api/v1/mailboxes/${t.mailboxB.id}`, body: { password: 'taken-over-password' } }),
  'delete /api/v1/mailboxes/:id': (t) => ({ url: `/api/v1/mailboxes/${t.mailboxB.id}` }),
  'get /api/v1/aliases': () => ({ url: '/api/v1/aliases' }),
  'post /api/v1/aliases': (t) => ({ url: '/api/v1/aliases', body: { organizationId: t.organizationB.id, address: `copy@${t.domainB.name}`, destinations: ['spy@example.net'] } }),
  'get /api/v1/aliases/:id': (t) => ({ url: `/api/v1/aliases/${t.aliasB.id}` }),
  'patch /api/v1/aliases/:id': (t) => ({ url: `/api/v1/aliases/${t.aliasB.id}`, body: { destinations: ['spy@example.net'] } }),
  'delete /api/v1/aliases/:id': (t) => ({ url: `/api/v1/aliases/${t.aliasB.id}` }),
  'get /api/v1/databases': () => ({ url: '/api/v1/databases' }),
  'post /api/v1/databases': (t) => ({ url: '/api/v1/databases', body: { organizationId: t.organizationB.id, engine: 'mariadb', name: 'planted' } }),
  'get /api/v1/databases/:id': (t) => ({ url: `/api/v1/databases/${t.databaseB.id}` }),
  'get /api/v1/databases/:id/connection': (t) => ({ url: `/api/v1/databases/${t.databaseB.id}/connection` }),
  'delete /api/v1/databases/:id': (t) => ({ url: `/api/v1/databases/${t.databaseB.id}` }),
  'get /api/v1/database-users': () => ({ url: '/api/v1/database-users' }),
  'post /api/v1/database-users': (t) => ({ url: '/api/v1/database-users', body: { organizationId: t.organizationB.id, engine: 'mariadb', name: 'spy', databases: [t.databaseB.id] } }),
  'get /api/v1/database-users/:id': (t) => ({ url: `/api/v1/database-users/${t.databaseUserB.id}` }),
  'patch /api/v1/database-users/:id': (t) => ({ url: `/api/v1/database-users/${t.databaseUserB.id}`, body: { password: 'taken-over-password' } }),
  'delete /api/v1/database-users/:id': (t) => ({ url: `/api/v1/database-users/${t.databaseUserB.id}` }),
  'get /api/v1/resource-events': (t) => ({ url: `/api/v1/resource-events?organizationId=${t.organizationB.id}` }),
  'get /api/v1/archives': (t) => ({ url: `/api/v1/archives?organizationId=${t.organizationB.id}` }),
  'post /api/v1/archives/:id/restore': (t) => ({ url: `/api/v1/archives/${t.archiveB.id}/restore` }),
  'get /api/v1/resources': (t) => ({ url: `/api/v1/resources?organizationId=${t.organizationB.id}&q=${encodeURIComponent(t.domainB.name)}` }),

  // Provisioning operations: sysadmins only.
  'get /api/v1/jobs': () => ({ url: '/api/v1/jobs' }),
  'get /api/v1/server-events': (t) => ({ url: `/api/v1/server-events?serverId=${t.server.id}` }),
  'post /api/v1/jobs/retry': (t) => ({ url: '/api/v1/jobs/retry', body: { resourceType: 'site', resourceId: t.siteB.id } }),
  'post /api/v1/jobs/resync': () => ({ url: '/api/v1/jobs/resync' }),
  'get /api/v1/servers/ssh-public-key': () => ({ url: '/api/v1/servers/ssh-public-key' }),
  'post /api/v1/servers/:id/resync': (t) => ({ url: `/api/v1/servers/${t.server.id}/resync` }),

  // Imports from other panels: sysadmins only.
  'post /api/v1/imports/dry-run': (t) => ({ url: '/api/v1/imports/dry-run', body: { databaseUrl: 'mysql://alternc:secret@127.0.0.1:1/alternc', fromServerId: t.server.id } }),
  'post /api/v1/imports': (t) => ({ url: '/api/v1/imports', body: { databaseUrl: 'mysql://alternc:secret@127.0.0.1:1/alternc', fromServerId: t.server.id } }),
  'get /api/v1/imports/:id': () => ({ url: '/api/v1/imports/01a20000-0000-7000-8000-000000000000' }),
  'post /api/v1/moves': (t) => ({ url: '/api/v1/moves', body: { organizationId: t.organizationB.id, service: 'web', toServerId: t.server.id } }),
  'get /api/v1/moves/:id': () => ({ url: '/api/v1/moves/01a20000-0000-7000-8000-000000000000' }),
  'post /api/v1/drains': (t) => ({ url: '/api/v1/drains', body: { serverId: t.server.id } }),
  'get /api/v1/drains/:id': () => ({ url: '/api/v1/drains/01a20000-0000-7000-8000-000000000000' }),

  // Billing: clients read their own invoices, payments and statement; everything else is for staff.
  'post /api/v1/billing-runs': () => ({ url: '/api/v1/billing-runs', body: { period: '2024-01' } }),
  'get /api/v1/billing-runs': () => ({ url: '/api/v1/billing-runs' }),
  'get /api/v1/billing-runs/:id': (t) => ({ url: `/api/v1/billing-runs/${t.run.id}` }),
  'post /api/v1/billing-runs/:id/post': (t) => ({ url: `/api/v1/billing-runs/${t.run.id}/post` }),
  'post /api/v1/invoices': (t) => ({ url: '/api/v1/invoices', body: { organizationId: t.organizationB.id, lines: [{ description: 'x', quantity: '1', unitPrice: '1' }] } }),
  'get /api/v1/invoices': (t) => ({ url: `/api/v1/invoices?organizationId=${t.organizationB.id}` }),
  'get /api/v1/invoices/:id': (t) => ({ url: `/api/v1/invoices/${t.invoiceB.id}` }),
  'patch /api/v1/invoices/:id': (t) => ({ url: `/api/v1/invoices/${t.draftB.id}`, body: { memo: 'taken over' } }),
  'post /api/v1/invoices/:id/lines': (t) => ({ url: `/api/v1/invoices/${t.draftB.id}/lines`, body: { lines: [{ description: 'x', quantity: '1', unitPrice: '1' }] } }),
  'delete /api/v1/invoices/:id': (t) => ({ url: `/api/v1/invoices/${t.draftB.id}` }),
  'post /api/v1/invoices/:id/post': (t) => ({ url: `/api/v1/invoices/${t.draftB.id}/post` }),
  'post /api/v1/invoices/:id/void': (t) => ({ url: `/api/v1/invoices/${t.invoiceB.id}/void` }),
  'post /api/v1/invoices/:id/credit-notes': (t) => ({ url: `/api/v1/invoices/${t.invoiceB.id}/credit-notes` }),
  'get /api/v1/invoices/:id/pdf': (t) => ({ url: `/api/v1/invoices/${t.invoiceB.id}/pdf` }),
  'get /api/v1/invoice-lines': (t) => ({ url: `/api/v1/invoice-lines?organizationId=${t.organizationB.id}` }),
  'post /api/v1/payments': (t) => ({ url: '/api/v1/payments', body: { organizationId: t.organizationB.id, method: 'cash', reference: 'x', amount: '1.00', receivedOn: '2024-01-01' } }),
  'get /api/v1/payments': (t) => ({ url: `/api/v1/payments?organizationId=${t.organizationB.id}` }),
  'get /api/v1/payments/:id': (t) => ({ url: `/api/v1/payments/${t.paymentB.id}` }),
  'post /api/v1/payments/:id/allocations': (t) => ({ url: `/api/v1/payments/${t.paymentB.id}/allocations`, body: { allocations: [{ invoiceId: t.invoiceB.id, amount: '1.00' }] } }),
  'post /api/v1/bank-statements': () => ({ url: '/api/v1/bank-statements', body: { csv: '2024-01-01,1.00,x' } }),
  'get /api/v1/bank-statement-lines': () => ({ url: '/api/v1/bank-statement-lines' }),
  'post /api/v1/bank-statement-lines/:id/confirm': (t) => ({ url: `/api/v1/bank-statement-lines/${t.bankLine.id}/confirm`, body: { invoiceId: t.invoiceB.id } }),
  'post /api/v1/bank-statement-lines/:id/ignore': (t) => ({ url: `/api/v1/bank-statement-lines/${t.bankLine.id}/ignore` }),
  'get /api/v1/organizations/:id/billing-profile': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/billing-profile` }),
  'put /api/v1/organizations/:id/billing-profile': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/billing-profile`, body: { billingEmail: 'spy@example.net' } }),
  'get /api/v1/organizations/:id/statement': (t) => ({ url: `/api/v1/organizations/${t.organizationB.id}/statement` }),
  'get /api/v1/tax-rates': () => ({ url: '/api/v1/tax-rates' }),
  'post /api/v1/tax-rates': () => ({ url: '/api/v1/tax-rates', body: { tax: 'gst', effectiveFrom: '2030-01-01', rate: '0' } }),
  'get /api/v1/billing-items': () => ({ url: '/api/v1/billing-items' }),
  'post /api/v1/billing-items': () => ({ url: '/api/v1/billing-items', body: { code: 'free', nameFr: 'x', nameEn: 'x', kind: 'one_off', accountCode: '4100', unitPrice: '0', effectiveFrom: '2024-01-01' } }),
  'post /api/v1/billing-items/:id/prices': (t) => ({ url: `/api/v1/billing-items/${t.item.id}/prices`, body: { effectiveFrom: '2030-01-01', unitPrice: '0' } }),

  // Accounting: the co-op's books, read by staff (workers included), changed by accountants.
  'get /api/v1/accounting/accounts': () => ({ url: '/api/v1/accounting/accounts' }),
  'post /api/v1/accounting/accounts': () => ({ url: '/api/v1/accounting/accounts', body: { code: '9999', nameFr: 'x', nameEn: 'x', type: 'asset' } }),
  'patch /api/v1/accounting/accounts/:id': (t) => ({ url: `/api/v1/accounting/accounts/${t.account.id}`, body: { active: false } }),
  'get /api/v1/accounting/journal': () => ({ url: '/api/v1/accounting/journal?format=ledger' }),
  'post /api/v1/accounting/journal': () => ({ url: '/api/v1/accounting/journal', body: { date: '2024-01-01', description: 'x', lines: [{ account: '1010', debit: '1.00' }, { account: '4100', credit: '1.00' }] } }),
  'get /api/v1/accounting/journal/:id': (t) => ({ url: `/api/v1/accounting/journal/${t.entry.id}` }),
  'post /api/v1/accounting/journal/:id/reversal': (t) => ({ url: `/api/v1/accounting/journal/${t.entry.id}/reversal`, body: { date: '2024-01-01' } }),
  'get /api/v1/accounting/closed-periods': () => ({ url: '/api/v1/accounting/closed-periods' }),
  'post /api/v1/accounting/closed-periods': () => ({ url: '/api/v1/accounting/closed-periods', body: { month: '2024-01' } }),
  'get /api/v1/accounting/reports/trial-balance': () => ({ url: '/api/v1/accounting/reports/trial-balance' }),
  'get /api/v1/accounting/reports/income-statement': () => ({ url: '/api/v1/accounting/reports/income-statement' }),
  'get /api/v1/accounting/reports/balance-sheet': () => ({ url: '/api/v1/accounting/reports/balance-sheet' }),
  'get /api/v1/accounting/reports/income-by-month': () => ({ url: '/api/v1/accounting/reports/income-by-month' }),
  'get /api/v1/accounting/reports/general-ledger': () => ({ url: '/api/v1/accounting/reports/general-ledger?account=1100' }),
  'get /api/v1/accounting/reports/receivables-aging': () => ({ url: '/api/v1/accounting/reports/receivables-aging' }),
  'get /api/v1/accounting/reports/sales-tax': () => ({ url: '/api/v1/accounting/reports/sales-tax?from=2024-01-01&to=2024-12-31' }),
  'get /api/v1/accounting/consistency': () => ({ url: '/api/v1/accounting/consistency' }),

  // Timekeeping: the co-op's staff only. Time entries and timers do not exist for a client (404).
  'get /api/v1/workers': () => ({ url: '/api/v1/workers' }),
  'get /api/v1/workers/:id': (t) => ({ url: `/api/v1/workers/${t.worker.id}` }),
  'put /api/v1/workers/:id': (t) => ({ url: `/api/v1/workers/${t.worker.id}`, body: { active: false } }),
  'get /api/v1/committees': () => ({ url: '/api/v1/committees' }),
  'post /api/v1/committees': () => ({ url: '/api/v1/committees', body: { code: 'intruders', nameFr: 'x', nameEn: 'x' } }),
  'patch /api/v1/committees/:id': (t) => ({ url: `/api/v1/committees/${t.committee.id}`, body: { archived: true } }),
  'get /api/v1/contracts': (t) => ({ url: `/api/v1/contracts?organizationId=${t.organizationB.id}` }),
  'post /api/v1/contracts': (t) => ({ url: '/api/v1/contracts', body: { name: 'x', kind: 'hourly', organizationId: t.organizationB.id, hourlyRate: '1.00', startsOn: '2024-01-01' } }),
  'get /api/v1/contracts/:id': (t) => ({ url: `/api/v1/contracts/${t.contractB.id}` }),
  'patch /api/v1/contracts/:id': (t) => ({ url: `/api/v1/contracts/${t.contractB.id}`, body: { status: 'closed' } }),
  'post /api/v1/contracts/:id/tasks': (t) => ({ url: `/api/v1/contracts/${t.contractB.id}/tasks`, body: { name: 'planted' } }),
  'patch /api/v1/contracts/:id/tasks/:taskId': (t) => ({ url: `/api/v1/contracts/${t.contractB.id}/tasks/${t.contractB.tasks[0]!.id}`, body: { closed: true } }),
  'get /api/v1/rates': () => ({ url: '/api/v1/rates' }),
  'post /api/v1/rates': () => ({ url: '/api/v1/rates', body: { effectiveFrom: '2030-01-01', hourlyRate: '1.00' } }),
  'get /api/v1/time-entries': (t) => ({ url: `/api/v1/time-entries?contractId=${t.contractB.id}` }),
  'post /api/v1/time-entries': (t) => ({ url: '/api/v1/time-entries', body: { contractId: t.contractB.id, workDate: '2024-02-01', minutes: 60 } }),
  'post /api/v1/time-entries/approve': (t) => ({ url: '/api/v1/time-entries/approve', body: { ids: [t.timeEntryB.id] } }),
  'get /api/v1/time-entries/:id': (t) => ({ url: `/api/v1/time-entries/${t.timeEntryB.id}` }),
  'patch /api/v1/time-entries/:id': (t) => ({ url: `/api/v1/time-entries/${t.timeEntryB.id}`, body: { minutes: 1 } }),
  'delete /api/v1/time-entries/:id': (t) => ({ url: `/api/v1/time-entries/${t.timeEntryB.id}` }),
  'post /api/v1/time-entries/:id/unapprove': (t) => ({ url: `/api/v1/time-entries/${t.timeEntryB.id}/unapprove` }),
  'post /api/v1/time-entries/:id/adjustments': (t) => ({ url: `/api/v1/time-entries/${t.timeEntryB.id}/adjustments`, body: { minutes: 60, description: 'x' } }),
  'get /api/v1/timers': () => ({ url: '/api/v1/timers' }),
  'post /api/v1/timers': (t) => ({ url: '/api/v1/timers', body: { contractId: t.contractB.id } }),
  'post /api/v1/timers/:id/stop': (t) => ({ url: `/api/v1/timers/${t.timer.id}/stop` }),
  'delete /api/v1/timers/:id': (t) => ({ url: `/api/v1/timers/${t.timer.id}` }),
  'get /api/v1/pay-runs': () => ({ url: '/api/v1/pay-runs' }),
  'post /api/v1/pay-runs': () => ({ url: '/api/v1/pay-runs', body: { through: '2024-12-31', paidOn: '2025-01-05' } }),
  'get /api/v1/eligibility-exceptions': () => ({ url: '/api/v1/eligibility-exceptions' }),
  'post /api/v1/eligibility-exceptions': (t) => ({ url: '/api/v1/eligibility-exceptions', body: { workerId: t.worker.id, from: '2024-01-01', to: '2024-12-31', criteria: ['monthly_hours'], reason: 'x', grantedBy: 'x', decidedOn: '2024-01-01' } }),
  'get /api/v1/reports/eligibility': () => ({ url: '/api/v1/reports/eligibility?date=2024-03-05' }),
  'get /api/v1/reports/pay': () => ({ url: '/api/v1/reports/pay?from=2024-01-01&to=2024-12-31' }),
  'get /api/v1/reports/hours': () => ({ url: '/api/v1/reports/hours?from=2024-01-01&to=2024-12-31' }),
  'get /api/v1/reports/unpaid-hours': () => ({ url: '/api/v1/reports/unpaid-hours?from=2024-01-01&to=2024-12-31' }),
  'get /api/v1/reports/contracts': (t) => ({ url: `/api/v1/reports/contracts?contractId=${t.contractB.id}` }),
};

/** Routes that answer A with a list (never holding anything of B's). */
const LISTS = new Set([
  'get /api/v1/organizations',
  'get /api/v1/domains',
  'get /api/v1/sites',
  'get /api/v1/mailboxes',
  'get /api/v1/aliases',
  'get /api/v1/databases',
  'get /api/v1/database-users',
  'get /api/v1/resource-events',
  'get /api/v1/archives',
  'get /api/v1/resources',
  'get /api/v1/plans',
  'get /api/v1/plans/:id',
  'get /api/v1/invoices',
  'get /api/v1/invoice-lines',
  'get /api/v1/payments',
  'get /api/v1/tax-rates',
  'get /api/v1/billing-items',
]);

/** Routes for staff only: a client is told it lacks the permission (there is nothing to hide). */
const STAFF_ONLY = new Set([
  'post /api/v1/organizations',
  'put /api/v1/organizations/:id/subscription',
  'put /api/v1/organizations/:id/quota-overrides',
  'get /api/v1/users',
  'post /api/v1/users',
  'get /api/v1/invitations',
  'get /api/v1/users/:id',
  'patch /api/v1/users/:id',
  'get /api/v1/audit-events',
  'post /api/v1/plans',
  'patch /api/v1/plans/:id',
  'post /api/v1/plans/:id/prices',
  'get /api/v1/servers',
  'post /api/v1/servers',
  'get /api/v1/servers/:id',
  'patch /api/v1/servers/:id',
  'delete /api/v1/servers/:id',
  'get /api/v1/servers/ssh-public-key',
  'post /api/v1/servers/:id/resync',
  'post /api/v1/imports/dry-run',
  'post /api/v1/imports',
  'get /api/v1/imports/:id',
  'post /api/v1/moves',
  'get /api/v1/moves/:id',
  'post /api/v1/drains',
  'get /api/v1/drains/:id',
  'get /api/v1/jobs',
  'get /api/v1/server-events',
  'post /api/v1/jobs/retry',
  'post /api/v1/jobs/resync',
  'post /api/v1/archives/:id/restore',
  'post /api/v1/billing-runs',
  'get /api/v1/billing-runs',
  'get /api/v1/billing-runs/:id',
  'post /api/v1/billing-runs/:id/post',
  'post /api/v1/invoices',
  'patch /api/v1/invoices/:id',
  'post /api/v1/invoices/:id/lines',
  'delete /api/v1/invoices/:id',
  'post /api/v1/invoices/:id/post',
  'post /api/v1/invoices/:id/void',
  'post /api/v1/invoices/:id/credit-notes',
  'post /api/v1/payments',
  'post /api/v1/payments/:id/allocations',
  'post /api/v1/bank-statements',
  'get /api/v1/bank-statement-lines',
  'post /api/v1/bank-statement-lines/:id/confirm',
  'post /api/v1/bank-statement-lines/:id/ignore',
  'put /api/v1/organizations/:id/billing-profile',
  'post /api/v1/tax-rates',
  'post /api/v1/billing-items',
  'post /api/v1/billing-items/:id/prices',
  'get /api/v1/accounting/accounts',
  'post /api/v1/accounting/accounts',
  'patch /api/v1/accounting/accounts/:id',
  'get /api/v1/accounting/journal',
  'post /api/v1/accounting/journal',
  'get /api/v1/accounting/journal/:id',
  'post /api/v1/accounting/journal/:id/reversal',
  'get /api/v1/accounting/closed-periods',
  'post /api/v1/accounting/closed-periods',
  'get /api/v1/accounting/reports/trial-balance',
  'get /api/v1/accounting/reports/income-statement',
  'get /api/v1/accounting/reports/balance-sheet',
  'get /api/v1/accounting/reports/income-by-month',
  'get /api/v1/accounting/reports/general-ledger',
  'get /api/v1/accounting/reports/receivables-aging',
  'get /api/v1/accounting/reports/sales-tax',
  'get /api/v1/accounting/consistency',
  'get /api/v1/workers',
  'get /api/v1/workers/:id',
  'put /api/v1/workers/:id',
  'get /api/v1/committees',
  'post /api/v1/committees',
  'patch /api/v1/committees/:id',
  'get /api/v1/contracts',
  'post /api/v1/contracts',
  'get /api/v1/contracts/:id',
  'patch /api/v1/contracts/:id',
  'post /api/v1/contracts/:id/tasks',
  'patch /api/v1/contracts/:id/tasks/:taskId',
  'get /api/v1/rates',
  'post /api/v1/rates',
  'get /api/v1/pay-runs',
  'post /api/v1/pay-runs',
  'get /api/v1/eligibility-exceptions',
  'post /api/v1/eligibility-exceptions',
  'get /api/v1/reports/eligibility',
  'get /api/v1/reports/pay',
  'get /api/v1/reports/hours',
  'get /api/v1/reports/unpaid-hours',
  'get /api/v1/reports/contracts',
]);

/** Routes a token may never use (tokens are managed from a signed-in session). */
const SESSION_ONLY = new Set(['post /api/v1/tokens', 'delete /api/v1/tokens/:id']);

let api: TestApi;
let routes: RouteInfo[];
let clientA: Caller;
let tokenA: Caller;
let target: Target;

/** Everything of B's that an attack could change, to compare before and after. */
async function snapshotB(): Promise<string> {
  const rows = await api.db.query(
    `SELECT json_build_object(
       'org', (SELECT row_to_json(o) FROM organizations o WHERE o.id = $1),
       'members', (SELECT json_agg(m ORDER BY m.id) FROM memberships m WHERE m.organization_id = $1),
       'user', (SELECT row_to_json(u) FROM users u WHERE u.id = $2),
       'tokens', (SELECT json_agg(t ORDER BY t.id) FROM api_tokens t WHERE t.user_id = $2),
       'invitations', (SELECT json_agg(i ORDER BY i.id) FROM invitations i WHERE i.organization_id = $1),
       'archives', (SELECT json_agg(a ORDER BY a.id) FROM archives a WHERE a.organization_id = $1),
       'domains', (SELECT json_agg(d ORDER BY d.id) FROM domains d WHERE d.organization_id = $1),
       'records', (SELECT json_agg(r ORDER BY r.id) FROM dns_records r WHERE r.organization_id = $1),
       'sites', (SELECT json_agg(s ORDER BY s.id) FROM sites s WHERE s.organization_id = $1),
       'hostnames', (SELECT json_agg(h ORDER BY h.hostname) FROM site_hostnames h JOIN sites s ON s.id = h.site_id WHERE s.organization_id = $1),
       'mailboxes', (SELECT json_agg(m ORDER BY m.id) FROM mailboxes m WHERE m.organization_id = $1),
       'aliases', (SELECT json_agg(a ORDER BY a.id) FROM mail_aliases a WHERE a.organization_id = $1),
       'databases', (SELECT json_agg(d ORDER BY d.id) FROM databases d WHERE d.organization_id = $1),
       'database_users', (SELECT json_agg(u ORDER BY u.id) FROM database_users u WHERE u.organization_id = $1),
       'grants', (SELECT json_agg(g ORDER BY g.database_id) FROM database_grants g JOIN databases d ON d.id = g.database_id WHERE d.organization_id = $1),
       'subscription', (SELECT json_agg(s ORDER BY s.id) FROM subscriptions s WHERE s.organization_id = $1),
       'overrides', (SELECT json_agg(q ORDER BY q.meter) FROM quota_overrides q WHERE q.organization_id = $1),
       'plans', (SELECT json_agg(p ORDER BY p.id) FROM plans p),
       'prices', (SELECT json_agg(p ORDER BY p.id) FROM plan_prices p),
       'servers', (SELECT json_agg(s ORDER BY s.id) FROM servers s),
       'invoices', (SELECT json_agg(i ORDER BY i.id) FROM invoices i WHERE i.organization_id = $1),
       'invoice_lines', (SELECT json_agg(l ORDER BY l.id) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.organization_id = $1),
       'payments', (SELECT json_agg(p ORDER BY p.id) FROM payments p WHERE p.organization_id = $1),
       'allocations', (SELECT json_agg(a ORDER BY a.id) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id WHERE p.organization_id = $1),
       'billing_profile', (SELECT row_to_json(b) FROM billing_profiles b WHERE b.organization_id = $1),
       'bank_lines', (SELECT json_agg(b ORDER BY b.id) FROM bank_statement_lines b),
       'journal', (SELECT count(*) FROM journal_lines),
       'accounts', (SELECT json_agg(a ORDER BY a.id) FROM accounts a),
       'closed_periods', (SELECT json_agg(c ORDER BY c.month) FROM closed_periods c),
       'tax_rates', (SELECT json_agg(r ORDER BY r.id) FROM tax_rates r),
       'items', (SELECT json_agg(i ORDER BY i.id) FROM billing_item_prices i),
       'runs', (SELECT json_agg(r ORDER BY r.id) FROM billing_runs r),
       'workers', (SELECT json_agg(w ORDER BY w.id) FROM workers w),
       'committees', (SELECT json_agg(c ORDER BY c.id) FROM committees c),
       'contracts', (SELECT json_agg(c ORDER BY c.id) FROM contracts c),
       'tasks', (SELECT json_agg(t ORDER BY t.id) FROM contract_tasks t),
       'rates', (SELECT json_agg(r ORDER BY r.id) FROM hourly_rates r),
       'time_entries', (SELECT json_agg(e ORDER BY e.id) FROM time_entries e),
       'timers', (SELECT json_agg(t ORDER BY t.id) FROM timers t),
       'pay_runs', (SELECT json_agg(p ORDER BY p.id) FROM pay_runs p),
       'exceptions', (SELECT json_agg(x ORDER BY x.id) FROM eligibility_exceptions x)) AS snapshot`,
    [target.organizationB.id, target.memberB.userId],
  );
  return JSON.stringify(rows[0].snapshot);
}

beforeAll(async () => {
  api = await startTestApi();
  routes = api.app.get(OpenApiGenerator).routes();
  const admin = await api.admin();
  const orgA = await makeOrganization(admin, { name: 'A' });
  const orgB = await makeOrganization(admin, { name: 'B' });
  const a = await makeClient(api, admin, orgA.id, { role: 'owner' });
  const b = await makeClient(api, admin, orgB.id, { role: 'owner' });
  const tokenOfB = await makeToken(api, b.caller, { scopes: ['hosting:read'], organizationId: orgB.id });
  const invitationOfB = await b.caller.post(`/api/v1/organizations/${orgB.id}/members`, { email: 'pending-b@example.org', role: 'member' });
  expect(invitationOfB.status).toBe(201);
  clientA = a.caller;
  tokenA = (await makeToken(api, a.caller, { scopes: ['hosting:read', 'hosting:write', 'organizations:admin', 'billing:read'], organizationId: orgA.id })).caller;
  const servers = await makeServers(admin);
  const created = async (response: Promise<{ status: number; body: any }>) => {
    const { status, body } = await response;
    expect(status, JSON.stringify(body)).toBe(201);
    return body as { id: string };
  };
  const domainB = await makeDomain(b.caller, orgB.id);
  const databaseB = await created(b.caller.post('/api/v1/databases', { organizationId: orgB.id, engine: 'mariadb', name: 'data' }));
  const line = { description: 'Hosting', quantity: '1', unitPrice: '100.00', taxCode: 'taxable' };
  const invoiceB = await created(admin.post('/api/v1/invoices', { organizationId: orgB.id, issueDate: '2024-02-01', lines: [line] }));
  expect((await admin.post(`/api/v1/invoices/${invoiceB.id}/post`, {})).status).toBe(200);
  const draftB = await created(admin.post('/api/v1/invoices', { organizationId: orgB.id, issueDate: '2024-02-02', lines: [line] }));
  const paymentB = await created(admin.post('/api/v1/payments', { organizationId: orgB.id, method: 'cash', reference: 'b', amount: '200.00', receivedOn: '2024-02-03', allocations: [{ invoiceId: invoiceB.id, amount: '10.00' }] }));
  const bankLines = await admin.post('/api/v1/bank-statements', { csv: '2024-02-04,5.00,deposit' });
  const run = await created(admin.post('/api/v1/billing-runs', { period: '2023-01' }));
  const entries = (await admin.get('/api/v1/accounting/journal')).body.data;
  const accounts = (await admin.get('/api/v1/accounting/accounts')).body.data;
  const items = (await admin.get('/api/v1/billing-items')).body.data;
  // The first administrator holds every staff role: a worker and coordinator too.
  const contractB = await created(admin.post('/api/v1/contracts', { name: 'Site de B', kind: 'hourly', organizationId: orgB.id, hourlyRate: '60.00', startsOn: '2024-01-01', tasks: ['Design'] }));
  const timeEntryB = await created(admin.post('/api/v1/time-entries', { contractId: contractB.id, workDate: '2024-02-01', minutes: 60, billable: true }));
  const timer = await created(admin.post('/api/v1/timers', { contractId: contractB.id }));
  const committee = (await admin.get('/api/v1/committees')).body.data[0];
  const me = (await admin.get('/api/v1/auth/me')).body.user;
  target = {
    organizationB: orgB,
    memberB: { userId: b.userId },
    tokenB: { id: tokenOfB.id },
    invitationB: { id: invitationOfB.body.id },
    archiveB: await archiveOf(api, b.caller, orgB.id, domainB),
    domainB,
    recordB: await created(b.caller.post(`/api/v1/domains/${domainB.id}/records`, { type: 'TXT', name: '@', value: 'mine' })),
    siteB: await created(b.caller.post('/api/v1/sites', { organizationId: orgB.id, hostnames: [domainB.name] })),
    mailboxB: await created(b.caller.post('/api/v1/mailboxes', { organizationId: orgB.id, address: `boss@${domainB.name}`, password: 'long-enough-password', quotaMb: 10 })),
    aliasB: await created(b.caller.post('/api/v1/aliases', { organizationId: orgB.id, address: `team@${domainB.name}`, destinations: [`boss@${domainB.name}`] })),
    databaseB,
    databaseUserB: await created(b.caller.post('/api/v1/database-users', { organizationId: orgB.id, engine: 'mariadb', name: 'app', databases: [databaseB.id] })),
    server: servers.web,
    plan: (await admin.get('/api/v1/plans')).body.data[0],
    invoiceB,
    draftB,
    paymentB,
    run,
    bankLine: bankLines.body.data[0],
    entry: entries[0],
    account: accounts[0],
    item: items[0],
    contractB: contractB as { id: string; tasks: Array<{ id: string }> },
    timeEntryB,
    timer,
    committee,
    worker: { id: me.id },
  };
});
afterAll(() => api?.close());

/** An archive of one of B's mailboxes, as the mail driver records it when the mailbox is deleted. */
async function archiveOf(api: TestApi, owner: Caller, organizationId: string, domain: { name: string }): Promise<{ id: string }> {
  const mailbox = await owner.post('/api/v1/mailboxes', { organizationId, address: `gone@${domain.name}`, password: 'long-enough-password', quotaMb: 10 });
  expect(mailbox.status).toBe(201);
  const archives = api.app.get(ArchivesService);
  await RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, () =>
    archives.recordArchive({ type: 'mailbox', id: mailbox.body.id, path: '/var/backups/ruche/mail/gone.tar.gz', sizeBytes: 1234 }),
  );
  const [row] = await api.db.query(`SELECT id FROM archives WHERE resource_id = $1`, [mailbox.body.id]);
  return { id: row.id };
}

describe('tenant isolation', () => {
  it('covers every route the API has', () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(keys.filter((key) => !(key in ATTACKS))).toEqual([]);
    expect(Object.keys(ATTACKS).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('declares an access rule on every route (none is open by accident)', () => {
    const undeclared = routes.filter((route) => route.auth === undefined).map((route) => `${route.method} ${route.path}`);
    expect(undeclared).toEqual([]);
    const publicRoutes = routes.filter((route) => route.auth?.public).map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.sort()).toEqual(Object.entries(ATTACKS).filter(([, attack]) => attack === 'public').map(([key]) => key).sort());
  });

  it('answers 401 to anonymous callers on every non-public route', async () => {
    for (const route of routes) {
      if (route.auth?.public) continue;
      const url = route.path.replace(/:[A-Za-z]+/g, '01a20000-0000-7000-8000-000000000000');
      const response = await api.anonymous.request(route.method.toUpperCase(), url, ['post', 'patch', 'put'].includes(route.method) ? {} : undefined);
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  for (const [name, caller] of [
    ['a session', () => clientA],
    ['an organisation token', () => tokenA],
  ] as const) {
    it(`gives a client of A (${name}) nothing of B on any route`, async () => {
      const before = await snapshotB();
      for (const route of routes) {
        const attack = ATTACKS[`${route.method} ${route.path}`];
        if (typeof attack !== 'function') continue;
        const { url, body } = attack(target);
        const response = await caller().request(route.method.toUpperCase(), url, body ?? (['post', 'patch', 'put'].includes(route.method) ? {} : undefined));
        const label = `${route.method} ${route.path} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
        const key = `${route.method} ${route.path}`;
        if (LISTS.has(key)) {
          // Lists answer, but without anything of B's; plans are the co-op's catalogue, public to clients.
          expect(response.status, label).toBe(200);
          const text = JSON.stringify(response.body);
          for (const thing of [target.organizationB, target.invitationB, target.archiveB, target.domainB, target.siteB, target.mailboxB, target.aliasB, target.databaseB, target.databaseUserB, target.recordB, target.invoiceB, target.draftB, target.paymentB, target.contractB, target.timeEntryB]) {
            expect(text, label).not.toContain(thing.id);
          }
          expect(text, label).not.toContain(target.memberB.userId);
        } else if (STAFF_ONLY.has(key)) {
          expect([response.status, response.body.error.code], label).toEqual([403, 'missing_scope']);
        } else if (SESSION_ONLY.has(key) && name === 'an organisation token') {
          expect([response.status, response.body.error.code], label).toEqual([403, 'session_required']);
        } else {
          // B's things, and B itself, do not exist for A.
          expect([response.status, response.body.error.code], label).toEqual([404, 'not_found']);
        }
      }
      expect(await snapshotB()).toBe(before);
    });
  }
});
