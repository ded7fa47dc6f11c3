import { describe, expect, it } from 'vitest';
import { makeBrokenLocalServer, makeOrganization } from '../support/factories.js';
import { eventually } from '../support/fleet-harness.js';
import { expectOnlyLanguage, phaseOf, signIn, panelHarnessForFile } from './harness.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/test-api.js';

const panel = panelHarnessForFile();

describe('a sysadmin in the panel', () => {
  it('sees a job fail for real with its reason, pauses the server, retries the resource once repaired, and watches it go live', async () => {
    const { admin, api } = panel();
    const server = await makeBrokenLocalServer(api, admin, 'broken-web', ['web']);
    const organization = await makeOrganization(admin, { name: 'Coop en panne' });
    expect((await admin.post('/api/v1/domains', { organizationId: organization.id, name: 'panne-coop.org' })).status).toBe(201);
    const site = await admin.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['www.panne-coop.org'], serverId: server.id });
    expect(site.status, JSON.stringify(site.body)).toBe(201);

    const page = await panel().newPage('fr-CA');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto('/admin/queue');
    const failedSection = page.locator('section.card', { has: page.getByRole('heading', { name: 'Ressources en échec' }) });
    const row = failedSection.locator('tr', { hasText: 'www.panne-coop.org' });
    await phaseOf(row, 'failed');
    await row.getByText('Le serveur n’a pas pu appliquer ce changement').waitFor();
    expect(await row.textContent()).toContain('Coop en panne');
    expect(await row.textContent()).toContain('broken-web');
    // The failed reconcile is in the queue's log, its technical error one click away.
    await page.getByLabel('Afficher').selectOption('failed');
    await page.locator('tr', { hasText: 'broken-web' }).getByText('Échouée').first().waitFor();
    // Where the run's time went, step by step, one click away too.
    const failedRun = page.locator('tr', { hasText: 'broken-web' }).filter({ hasText: 'Échouée' }).first();
    await failedRun.getByText('Durée par étape').click();
    await failedRun.locator('dt', { hasText: 'Lecture de l’état voulu' }).waitFor();
    await failedRun.locator('dt', { hasText: 'Jusqu’à l’échec' }).waitFor();
    expect(await failedRun.locator('dd').first().textContent()).toMatch(/^\d[\d\s\u202f]* ms$/);
    await expectOnlyLanguage(page, 'fr', 'queue with a failure');

    // Hold the server while it is repaired, then retry the resource and let the server go.
    await page.getByRole('button', { name: 'Mettre en pause broken-web' }).click();
    await page.getByRole('button', { name: 'Reprendre broken-web' }).waitFor();
    await server.repair();
    await row.getByRole('button', { name: 'Réessayer www.panne-coop.org' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Reprendre broken-web' }).click();
    await page.getByRole('button', { name: 'Mettre en pause broken-web' }).waitFor();

    await page.getByRole('link', { name: 'Recherche de ressources' }).click();
    await page.getByLabel('Nom', { exact: true }).fill('panne-coop');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await phaseOf(page.locator('tr', { hasText: 'www.panne-coop.org' }), 'ready');
    const audit = await eventually(async () => {
      const events = (await admin.get(`/api/v1/audit-events?action=site.retry&targetId=${site.body.id}`)).body.data;
      return events.length > 0 ? events : null;
    });
    expect(audit[0].actorLabel).toBe(ADMIN_EMAIL);
  });

  it('declares a server, and reads the audit log with filters, as words rather than raw data', async () => {
    const page = await panel().newPage('fr-CA');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Serveurs' }).click();
    await page.getByLabel('Nom', { exact: true }).fill('web-panel-test');
    await page.getByLabel('Adresse', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Joint par').selectOption('local');
    await page.getByLabel('Web (nginx)').check();
    await page.getByRole('button', { name: 'Ajouter le serveur' }).click();
    await page.getByText('Serveur web-panel-test ajouté.').waitFor();
    await page.locator('li', { hasText: 'web-panel-test' }).getByText('Actif').waitFor();

    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.getByLabel('Action').fill('server.create');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/action=server.create/);
    const row = page.locator('tbody tr', { hasText: 'web-panel-test' }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain(ADMIN_EMAIL);
    expect(await page.locator('main').innerText()).not.toMatch(/[{}"]/);
    await expectOnlyLanguage(page, 'fr', 'audit');
  });
});
