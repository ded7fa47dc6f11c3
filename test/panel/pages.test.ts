import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClient, makeOrganization } from '../support/factories.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/test-api.js';
import { ARTEFACTS, auditPage, DESKTOP, expectOnlyLanguage, PHONE, signIn, mailedLink, panelHarnessForFile } from './harness.js';

const panel = panelHarnessForFile();
let client: Awaited<ReturnType<typeof makeClient>>;
let organizationId: string;
let domainId: string;
let invitationLink: string;
let resetLink: string;

beforeAll(async () => {
  const harness = panel();
  // An organisation with something on every page.
  const organization = await makeOrganization(harness.admin, { name: 'Coop Vitrine' });
  organizationId = organization.id;
  client = await makeClient(harness.api, harness.admin, organization.id, { role: 'owner', locale: 'fr' });
  const created = async (url: string, body: unknown) => {
    const response = await client.caller.post(url, body);
    expect(response.status, `${url} ${JSON.stringify(response.body)}`).toBe(201);
    return response.body;
  };
  const domain = await created('/api/v1/domains', { organizationId, name: 'vitrine-coop.org' });
  domainId = domain.id;
  await created(`/api/v1/domains/${domainId}/records`, { type: 'MX', name: '@', value: 'mx.vitrine-coop.org', priority: 20 });
  await created('/api/v1/sites', { organizationId, hostnames: ['boutique.vitrine-coop.org'], https: true });
  await created('/api/v1/mailboxes', { organizationId, address: 'bonjour@vitrine-coop.org', password: 'une-boite-bien-gardee', quotaMb: 500 });
  await created('/api/v1/aliases', { organizationId, address: 'equipe@vitrine-coop.org', destinations: ['bonjour@vitrine-coop.org', 'ailleurs@example.net'] });
  const database = await created('/api/v1/databases', { organizationId, engine: 'mariadb', name: 'boutique' });
  await created('/api/v1/database-users', { organizationId, engine: 'mariadb', name: 'appli', databases: [database.id] });
  await created('/api/v1/tokens', { name: 'Déploiement', scopes: ['hosting:read'], organizationId });
  await created(`/api/v1/organizations/${organizationId}/members`, { email: 'invitee@example.org', role: 'member' });
  invitationLink = await mailedLink(harness.api, 'invitee@example.org', '/invitation');
  expect((await harness.api.anonymous.post('/api/v1/auth/password-reset', { email: client.email })).status).toBe(202);
  resetLink = await mailedLink(harness.api, client.email, '/reset-password');
});

interface PageCheck {
  name: string;
  url: () => string;
  /** What shows the page is ready (its heading). */
  ready: (page: Page, locale: 'fr' | 'en') => Promise<unknown>;
  before?: (page: Page) => Promise<unknown>;
}

const heading = (fr: string, en: string) => (page: Page, locale: 'fr' | 'en') => page.getByRole('heading', { level: 1, name: locale === 'fr' ? fr : en }).waitFor();

const PUBLIC_PAGES: PageCheck[] = [
  { name: 'sign-in', url: () => '/sign-in', ready: heading('Connexion', 'Sign in') },
  { name: 'forgot-password', url: () => '/forgot-password', ready: heading('Réinitialiser votre mot de passe', 'Reset your password') },
  { name: 'reset-password', url: () => resetLink, ready: (page, locale) => page.getByLabel(locale === 'fr' ? 'Nouveau mot de passe' : 'New password').waitFor() },
  { name: 'invitation', url: () => invitationLink, ready: (page, locale) => page.getByLabel(locale === 'fr' ? 'Nouveau mot de passe' : 'New password').waitFor() },
];

const CLIENT_PAGES: PageCheck[] = [
  { name: 'client-dashboard', url: () => `/o/${organizationId}`, ready: (page, locale) => page.getByRole('meter', { name: locale === 'fr' ? 'Domaines' : 'Domains' }).waitFor() },
  { name: 'client-domains', url: () => `/o/${organizationId}/domains`, ready: (page) => page.getByText('vitrine-coop.org').first().waitFor() },
  { name: 'client-dns-records', url: () => `/o/${organizationId}/domains/${domainId}`, ready: (page) => page.getByText('mx.vitrine-coop.org').first().waitFor() },
  { name: 'client-sites', url: () => `/o/${organizationId}/sites`, ready: (page) => page.getByText('boutique.vitrine-coop.org').first().waitFor() },
  { name: 'client-mailboxes', url: () => `/o/${organizationId}/mailboxes`, ready: (page) => page.getByRole('heading', { name: 'bonjour@vitrine-coop.org' }).waitFor() },
  { name: 'client-aliases', url: () => `/o/${organizationId}/aliases`, ready: (page) => page.getByText('ailleurs@example.net').first().waitFor() },
  {
    name: 'client-databases',
    url: () => `/o/${organizationId}/databases`,
    ready: (page) => page.getByRole('heading', { name: /_appli$/ }).waitFor(),
    before: async (page) => {
      await page.getByRole('button', { name: /Informations de connexion|Connection details/ }).click();
      await page.getByText('localhost').first().waitFor();
    },
  },
  { name: 'client-members', url: () => `/o/${organizationId}/members`, ready: (page) => page.getByText('invitee@example.org').first().waitFor() },
  {
    name: 'account-profile',
    url: () => '/account/profile',
    ready: heading('Profil et sécurité', 'Profile and security'),
    before: async (page) => {
      await page.getByRole('button', { name: /Activer l’authentification|Turn on two-factor/ }).click();
      await page.locator('.qr svg').waitFor();
    },
  },
  { name: 'account-tokens', url: () => '/account/tokens', ready: (page) => page.getByText('Déploiement').first().waitFor() },
  { name: 'not-found', url: () => '/no-such-page', ready: heading('Page introuvable', 'Page not found') },
];

const SYSADMIN_PAGES: PageCheck[] = [
  { name: 'sysadmin-queue', url: () => '/admin/queue', ready: (page, locale) => page.getByRole('heading', { name: locale === 'fr' ? 'Réconciliations' : 'Reconciles' }).waitFor() },
  { name: 'sysadmin-servers', url: () => '/admin/servers', ready: (page) => page.getByRole('heading', { level: 3, name: 'local' }).waitFor() },
  { name: 'sysadmin-resources', url: () => '/admin/resources?q=vitrine', ready: (page) => page.getByRole('link', { name: 'bonjour@vitrine-coop.org' }).waitFor() },
  { name: 'sysadmin-audit', url: () => '/admin/audit', ready: (page) => page.locator('tbody tr').first().waitFor() },
];

async function visitAll(page: Page, pages: PageCheck[], locale: 'fr' | 'en', audit: boolean) {
  for (const check of pages) {
    await page.goto(check.url());
    await check.ready(page, locale);
    await check.before?.(page);
    await expectOnlyLanguage(page, locale, `${check.name} (${locale})`);
    if (audit) await auditPage(page, `${check.name}-${locale}`);
  }
}

describe('every page', () => {
  it('public pages are in French only, have no serious accessibility violation, and are photographed at desktop and phone width', async () => {
    await visitAll(await panel().newPage('fr-CA'), PUBLIC_PAGES, 'fr', true);
  });

  it('client and account pages, likewise', { timeout: 300_000 }, async () => {
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await visitAll(page, CLIENT_PAGES, 'fr', true);
  });

  it('sysadmin pages, likewise', { timeout: 200_000 }, async () => {
    const page = await panel().newPage('fr-CA');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await visitAll(page, SYSADMIN_PAGES, 'fr', true);
  });

  it('is in English only once English is chosen', async () => {
    const anonymous = await panel().newPage('en-CA');
    await visitAll(anonymous, PUBLIC_PAGES.filter((check) => check.name !== 'invitation' && check.name !== 'reset-password'), 'en', false);
    const clientPage = await panel().newPage('fr-CA');
    await signIn(clientPage, client.email, client.password);
    await clientPage.getByRole('button', { name: 'Switch to English' }).click();
    await clientPage.locator('html[lang="en-CA"]').waitFor();
    const sysadmin = await panel().newPage('fr-CA');
    await signIn(sysadmin, ADMIN_EMAIL, ADMIN_PASSWORD);
    await sysadmin.getByRole('button', { name: 'Switch to English' }).click();
    await sysadmin.locator('html[lang="en-CA"]').waitFor();
    try {
      await visitAll(clientPage, CLIENT_PAGES.filter((check) => check.name !== 'account-profile'), 'en', false);
      await visitAll(sysadmin, SYSADMIN_PAGES, 'en', false);
    } finally {
      await panel().admin.patch('/api/v1/auth/me', { locale: 'fr' });
      await client.caller.patch('/api/v1/auth/me', { locale: 'fr' });
    }
  });

  it('works at phone width: the navigation opens from its menu button', async () => {
    const page = await panel().newPage('fr-CA', PHONE);
    await signIn(page, client.email, client.password);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await page.getByRole('link', { name: 'Sites web' }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('link', { name: 'Sites web' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sites web' }).waitFor();
    expect(await page.getByRole('link', { name: 'Boîtes courriel' }).isVisible()).toBe(false);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('opens its first page, interactive, in under a second', async () => {
    const timings: number[] = [];
    for (let run = 0; run < 5; run++) {
      // A new profile each time: nothing cached.
      const page = await panel().newPage('fr-CA', DESKTOP);
      await page.goto('/sign-in');
      const email = page.getByLabel('Adresse courriel');
      await email.waitFor();
      await email.fill('x@example.org');
      timings.push(await page.evaluate(() => Math.round(performance.now())));
      await page.context().close();
    }
    const sorted = [...timings].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    // Wall-clock time means little on an oversubscribed machine (other test runs, other builds):
    // the figure is always recorded, and held to the second only when the cores are not queued.
    const loadPerCore = os.loadavg()[0]! / os.cpus().length;
    await writeFile(
      path.join(ARTEFACTS, 'first-page-interactive.json'),
      `${JSON.stringify({ page: '/sign-in', runsMs: timings, medianMs: median, loadPerCore: Math.round(loadPerCore * 100) / 100 }, null, 2)}\n`,
    );
    console.log(`first page interactive (sign-in, cold cache): median ${median} ms, runs ${timings.join(', ')} ms, load per core ${loadPerCore.toFixed(2)}`);
    if (loadPerCore <= 1) expect(median).toBeLessThan(1000);
  });
});
