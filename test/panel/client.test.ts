import { describe, expect, it } from 'vitest';
import { expectOnlyLanguage, makeFrenchClient, panelHarnessForFile, phaseOf, signIn } from './harness.js';

const panel = panelHarnessForFile();

describe('a client in the panel', () => {
  it('signs in in French, adds a domain and a site, and sees them go live without reloading', async () => {
    const client = await makeFrenchClient(panel(), 'Coop du Plateau');
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.getByRole('heading', { level: 1, name: 'Coop du Plateau' }).waitFor();
    await expectOnlyLanguage(page, 'fr', 'dashboard');
    // A mark on the window: still there at the end means the page was never reloaded.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await page.getByRole('link', { name: 'Domaines et DNS' }).click();
    await page.getByText('ns1.coop.example').waitFor();
    await page.getByLabel('Nom de domaine').fill('café-du-plateau.ca');
    await page.getByRole('button', { name: 'Ajouter le domaine' }).click();
    const domainRow = page.locator('tr', { hasText: 'café-du-plateau.ca' });
    await phaseOf(domainRow, 'ready');
    expect(await domainRow.getByText('En ligne').isVisible()).toBe(true);
    expect(await domainRow.textContent()).toContain('xn--caf-du-plateau-dkb.ca');

    await page.getByRole('link', { name: 'Sites web' }).click();
    await page.getByLabel('Noms d’hôte').fill('www.café-du-plateau.ca, café-du-plateau.ca');
    await page.getByRole('button', { name: 'Publier' }).click();
    const siteRow = page.locator('tr', { hasText: 'www.xn--caf-du-plateau-dkb.ca' });
    await siteRow.waitFor();
    await phaseOf(siteRow, 'ready');
    expect(await siteRow.getByText('En ligne').isVisible()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expectOnlyLanguage(page, 'fr', 'sites');
  });

  it('adds several domains at once: a refused line is named with the API’s reason and nothing is added; corrected, all are added and go live', async () => {
    const client = await makeFrenchClient(panel(), 'Coop qui déménage');
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.goto(`/o/${client.organization.id}/domains`);
    const names = page.getByLabel('Noms de domaine');
    await names.fill('asso-un.org\n\nexemple..org\nasso-deux.org');
    await page.getByRole('button', { name: 'Ajouter ces domaines' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Aucun domaine n’a été ajouté' });
    await refused.waitFor();
    // The line as typed (the blank one counts), and the API's own words for the name.
    const answer = await client.caller.post(
      '/api/v1/domains/batch',
      { organizationId: client.organization.id, domains: [{ name: 'asso-un.org' }, { name: 'exemple..org' }, { name: 'asso-deux.org' }] },
      { headers: { 'accept-language': 'fr-CA' } },
    );
    expect(answer.status).toBe(422);
    const reason = answer.body.error.details.find((detail: { field: string }) => detail.field === 'domains.1.name').message;
    expect(await refused.locator('li').allTextContents()).toEqual([`Ligne 3 (exemple..org) : ${reason}`]);
    expect(await names.getAttribute('aria-invalid')).toBe('true');
    // Said once, on its line: not again under the field as if the whole list were wrong.
    expect(await page.locator('#several-domains-error').count()).toBe(0);
    expect((await client.caller.get(`/api/v1/domains?organizationId=${client.organization.id}`)).body.data).toEqual([]);

    // A name another organisation holds, typed with its accent: its line is marked with the API's words.
    const other = await makeFrenchClient(panel(), 'Coop voisine');
    expect((await other.caller.post('/api/v1/domains', { organizationId: other.organization.id, name: 'café-pris.ca' })).status).toBe(201);
    const held = await client.caller.post('/api/v1/domains', { organizationId: client.organization.id, name: 'café-pris.ca' }, { headers: { 'accept-language': 'fr-CA' } });
    expect(held.status).toBe(409);
    await names.fill('asso-quatre.org\ncafé-pris.ca');
    await page.getByRole('button', { name: 'Ajouter ces domaines' }).click();
    await refused.locator('li', { hasText: 'Ligne 2' }).waitFor();
    expect(await refused.locator('li').allTextContents()).toEqual([`Ligne 2 (café-pris.ca) : ${held.body.error.message}`]);
    // The one-name form says it too (its error carries facts, not field problems).
    await page.getByLabel('Nom de domaine').fill('café-pris.ca');
    await page.getByRole('button', { name: 'Ajouter le domaine' }).click();
    await page.getByRole('alert').filter({ hasText: held.body.error.message }).first().waitFor();
    expect((await client.caller.get(`/api/v1/domains?organizationId=${client.organization.id}`)).body.data).toEqual([]);

    await names.fill('asso-un.org\nasso-deux.org\nasso-trois.org');
    await page.getByRole('button', { name: 'Ajouter ces domaines' }).click();
    await page.getByText('3 domaines ajoutés.').waitFor();
    expect(await refused.count()).toBe(0);
    for (const name of ['asso-un.org', 'asso-deux.org', 'asso-trois.org']) await phaseOf(page.locator('tr', { hasText: name }), 'ready');
    await expectOnlyLanguage(page, 'fr', 'several domains');
  });

  it('checks DNS records while they are typed, and the API has the last word', async () => {
    const client = await makeFrenchClient(panel(), 'Coop des Records');
    const domain = await client.caller.post('/api/v1/domains', { organizationId: client.organization.id, name: 'records-coop.org' });
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.goto(`/o/${client.organization.id}/domains/${domain.body.id}`);
    const value = page.getByLabel('Valeur');
    await value.fill('300.1.1.1');
    await value.blur();
    await page.getByText('Ce n’est pas une adresse IPv4').waitFor();
    expect(await value.getAttribute('aria-invalid')).toBe('true');
    await value.fill('192.0.2.44');
    await page.getByLabel('Nom', { exact: true }).fill('boutique');
    await page.getByRole('button', { name: 'Ajouter l’enregistrement' }).click();
    await page.locator('tr', { hasText: '192.0.2.44' }).waitFor();
    // What only the server knows (a name outside the zone) comes back on the field, in French.
    await page.getByLabel('Nom', { exact: true }).fill('www.ailleurs.org.');
    await page.getByLabel('Valeur').fill('192.0.2.45');
    await page.getByRole('button', { name: 'Ajouter l’enregistrement' }).click();
    await page.locator('.field-error').first().waitFor();
    expect(await page.getByLabel('Nom', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await expectOnlyLanguage(page, 'fr', 'dns records');
  });

  it('creates a mailbox and sees its quota bar', async () => {
    const client = await makeFrenchClient(panel(), 'Coop Courriel');
    await client.caller.post('/api/v1/domains', { organizationId: client.organization.id, name: 'courriel-coop.org' });
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.getByRole('link', { name: 'Boîtes courriel' }).click();
    await page.getByLabel('Adresse (avant le @)').fill('info');
    await page.getByLabel('Mot de passe', { exact: true }).fill('une-boite-bien-gardee');
    await page.getByLabel('Confirmez le mot de passe').fill('une-boite-bien-gardee');
    await page.getByLabel('Quota (Mo)').fill('2048');
    await page.getByRole('button', { name: 'Créer la boîte' }).click();
    const card = page.locator('li', { hasText: 'info@courriel-coop.org' });
    const meter = card.getByRole('meter', { name: 'Espace utilisé' });
    await meter.waitFor();
    expect(await meter.getAttribute('max')).toBe('2048');
    expect(await card.textContent()).toMatch(/0\sMo sur 2\sGo \(0\s%\)/);
    // Mail has no driver yet: the mailbox waits, and says so.
    await phaseOf(card, 'pending');
    await expectOnlyLanguage(page, 'fr', 'mailboxes');
  });

  it('switches to English: every visible string changes, and the account keeps the choice', async () => {
    const client = await makeFrenchClient(panel(), 'Coop Bilingue');
    await client.caller.post('/api/v1/domains', { organizationId: client.organization.id, name: 'bilingue-coop.org' });
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    for (const path of ['', '/domains', '/mailboxes']) {
      await page.goto(`/o/${client.organization.id}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await expectOnlyLanguage(page, 'fr', `French ${path || 'dashboard'}`);
    }
    await page.goto(`/o/${client.organization.id}`);
    const french = new Set(await page.locator('nav, h1, h2').allInnerTexts());
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Use against your plan' }).waitFor();
    await expectOnlyLanguage(page, 'en', 'English dashboard');
    const english = await page.locator('nav, h1, h2').allInnerTexts();
    // Everything but the organisation's own name (data, not interface).
    expect(english.filter((text) => french.has(text) && text.toLowerCase() !== 'coop bilingue')).toEqual([]);
    for (const path of ['/domains', '/mailboxes', '/sites']) {
      await page.goto(`/o/${client.organization.id}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await expectOnlyLanguage(page, 'en', `English ${path}`);
    }
    // Remembered on the account, not only in this browser.
    expect((await client.caller.get('/api/v1/auth/me')).body.user.locale).toBe('en');
    const elsewhere = await panel().newPage('fr-CA');
    await signIn(elsewhere, client.email, client.password);
    await elsewhere.getByRole('heading', { name: 'Use against your plan' }).waitFor();
  });

  it('cannot open another client’s pages by their address', async () => {
    const first = await makeFrenchClient(panel(), 'Coop Première');
    const domain = (await first.caller.post('/api/v1/domains', { organizationId: first.organization.id, name: 'secret-premiere.org' })).body;
    const second = await makeFrenchClient(panel(), 'Coop Seconde');
    const page = await panel().newPage('fr-CA');
    await signIn(page, second.email, second.password);
    for (const path of ['', '/domains', `/domains/${domain.id}`, '/sites', '/mailboxes', '/aliases', '/databases', '/members']) {
      await page.goto(`/o/${first.organization.id}${path}`);
      await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
      const text = await page.locator('main').innerText();
      expect(text, path).not.toContain('secret-premiere.org');
      expect(text, path).not.toContain('Coop Première');
    }
    // Their own domain page, aimed at the first client's domain, is not found either.
    await page.goto(`/o/${second.organization.id}/domains/${domain.id}`);
    await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
    expect(await page.locator('main').innerText()).not.toContain('secret-premiere.org');
  });
});
