import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pdfText } from '../support/billing.js';
import { makeClient, makeOrganization, makeStaff } from '../support/factories.js';
import { coopToday, expectOnlyLanguage, expectFitsPhone, panelHarnessForFile, signIn } from './harness.js';

const panel = panelHarnessForFile();

/** The month that just ended where the co-op works, as the API and a French reader write it. */
function lastMonthOf(today: string): { PERIOD: string; PERIOD_FR: string } {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const lastMonth = new Date(year, month - 2, 15);
  return { PERIOD: `${lastMonth.getFullYear()}-${String(lastMonth.getMonth() + 1).padStart(2, '0')}`, PERIOD_FR: new Intl.DateTimeFormat('fr-CA', { month: 'long', year: 'numeric' }).format(lastMonth) };
}

describe('an accountant and a client in the panel', () => {
  it('the accountant bills a month and posts the invoice; the client reads their statement and downloads the invoice’s PDF', async () => {
    const { api, admin } = panel();
    const { PERIOD, PERIOD_FR } = lastMonthOf(coopToday(api.config));
    const accountant = await makeStaff(api, admin, ['accountant']);
    // A plan of 30.00 a month, and an organisation on it for years: last month bills one whole month.
    const plan = await accountant.caller.post('/api/v1/plans', {
      code: 'panel-billing',
      nameFr: 'Forfait panneau',
      nameEn: 'Panel plan',
      quotas: { domains: 10, sites: 10, mailboxes: 10, mail_storage_mb: 1000, databases: 5, database_storage_mb: 1000, web_storage_mb: 1000 },
      monthlyPriceCents: 3000,
      effectiveFrom: '2020-01-01',
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const organization = await makeOrganization(admin, { name: 'Coop Facturée', locale: 'fr' });
    expect((await admin.put(`/api/v1/organizations/${organization.id}/subscription`, { planId: plan.body.id, startsOn: '2024-01-01' })).status).toBe(204);
    const client = await makeClient(api, admin, organization.id, { role: 'owner', locale: 'fr' });

    // The accountant lands in the accounting area and bills last month (what the form proposes).
    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.getByRole('heading', { level: 1, name: 'Facturations' }).waitFor();
    expect(await page.getByLabel('Mois', { exact: true }).inputValue()).toBe(PERIOD);
    await page.getByRole('button', { name: 'Lancer la facturation' }).click();
    await page.getByText(`Facturation lancée pour ${PERIOD_FR}.`, { exact: false }).waitFor();
    const run = page.locator(`tr[data-period="${PERIOD}"]`);
    // The run works in the background; the page follows it without a reload.
    await run.locator('[data-status="completed"]').waitFor();
    expect(await run.textContent()).toContain('1 nouveau brouillon');
    await expectOnlyLanguage(page, 'fr', 'billing runs');
    await expectFitsPhone(page, 'billing runs');

    // Its draft, opened from the run's invoices, then posted.
    await run.getByRole('link', { name: `Ses factures ${PERIOD_FR}` }).click();
    await page.getByRole('link', { name: 'Brouillon pour Coop Facturée' }).click();
    await page.getByRole('heading', { level: 1, name: 'Brouillon pour Coop Facturée' }).waitFor();
    const lines = await page.locator('table').first().innerText();
    expect(lines).toContain('Forfait panneau');
    expect(lines).toMatch(/TPS \(5\s%\)\s+1,50\s\$/);
    expect(lines).toMatch(/TVQ \(9,975\s%\)\s+2,99\s\$/);
    expect(lines).toMatch(/Total\s+34,49\s\$/);
    await page.getByRole('button', { name: 'Comptabiliser la facture' }).click();
    const title = page.getByRole('heading', { level: 1, name: /^Facture \d{4}-\d{5}$/ });
    await title.waitFor();
    const number = (await title.textContent())!.replace('Facture ', '');
    await page.locator('[data-status="posted"]').first().waitFor();
    expect(await page.locator('[data-balance]').textContent()).toMatch(/34,49\s\$/);
    await expectOnlyLanguage(page, 'fr', 'posted invoice');
    const posted = (await accountant.caller.get(`/api/v1/invoices?organizationId=${organization.id}`)).body.data;
    expect(posted.map((invoice: { number: string; status: string }) => [invoice.number, invoice.status])).toEqual([[number, 'posted']]);

    // The month's revenue (taxes apart) in the reports, on the chart and in its table.
    await page.getByRole('link', { name: 'Rapports', exact: true }).click();
    await page.getByRole('img', { name: 'Revenus des douze derniers mois' }).waitFor();
    expect(await page.locator(`tr[data-month="${PERIOD}"]`).innerText()).toMatch(new RegExp(`^${PERIOD_FR}\\s+30,00\\s\\$\\s+0,00\\s\\$\\s+30,00\\s\\$$`));

    // The client finds it under their invoices, with what they owe, and downloads its PDF.
    const clientPage = await panel().newPage('fr-CA');
    await signIn(clientPage, client.email, client.password);
    await clientPage.getByRole('link', { name: 'Factures et relevé' }).click();
    await clientPage.getByRole('heading', { level: 1, name: 'Factures et relevé' }).waitFor();
    const row = clientPage.locator(`tr[data-invoice="${number}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Comptabilisée[\s\S]*34,49\s\$/);
    expect(await clientPage.locator('[data-balance]').textContent()).toMatch(/34,49\s\$/);
    await expectOnlyLanguage(clientPage, 'fr', 'client invoices');
    const [download] = await Promise.all([clientPage.waitForEvent('download'), row.getByRole('link', { name: `PDF ${number}` }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfText(pdf)).toContain(number);
    expect(pdfText(pdf)).toContain('Coop Facturée');
  });

  it('records a payment against the invoice it settles', async () => {
    const { api, admin } = panel();
    const accountant = await makeStaff(api, admin, ['accountant']);
    const organization = await makeOrganization(admin, { name: 'Coop Payeuse', locale: 'fr' });
    const draft = await accountant.caller.post('/api/v1/invoices', { organizationId: organization.id, lines: [{ description: 'Soutien', quantity: '2', unitPrice: '50.00', taxCode: 'exempt' }] });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const invoice = (await accountant.caller.post(`/api/v1/invoices/${draft.body.id}/post`, {})).body;

    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.getByRole('link', { name: 'Paiements' }).click();
    await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Coop Payeuse' });
    await page.getByLabel('Mode de paiement').selectOption({ label: 'Chèque' });
    await page.getByLabel('Référence').fill('Chèque 1042');
    await page.getByLabel('Montant').fill('100,00');
    const applyTo = page.getByLabel('Appliquer à', { exact: true });
    // Its customer's open invoices, each with what is left to pay (loaded once the customer is chosen).
    await applyTo.locator('option', { hasText: invoice.number }).waitFor({ state: 'attached' });
    expect(await applyTo.locator('option').allInnerTexts()).toEqual(['Aucune facture (garder en crédit)', expect.stringMatching(new RegExp(`^${invoice.number} · Coop Payeuse · 100,00\\s\\$ dû$`))]);
    await applyTo.selectOption(invoice.id);
    await page.getByRole('button', { name: 'Inscrire le paiement' }).click();
    await page.getByText(/Paiement de 100,00\s\$ inscrit; 0,00\s\$ reste en crédit\./).waitFor();
    const row = page.locator('tr', { hasText: 'Chèque 1042' });
    await row.getByRole('link', { name: invoice.number }).waitFor();
    await expectOnlyLanguage(page, 'fr', 'payments');

    await row.getByRole('link', { name: invoice.number }).click();
    await page.locator('[data-status="paid"]').first().waitFor();
    expect(await page.locator('[data-balance]').textContent()).toMatch(/0,00\s\$/);
  });

  it('matches a bank deposit to the invoice it names, credits one invoice and voids another', async () => {
    const { api, admin } = panel();
    const accountant = await makeStaff(api, admin, ['accountant']);
    const organization = await makeOrganization(admin, { name: 'Coop Rapprochée', locale: 'fr' });
    const post = async (price: string) => {
      const draft = await accountant.caller.post('/api/v1/invoices', { organizationId: organization.id, lines: [{ description: 'Soutien', quantity: '1', unitPrice: price, taxCode: 'exempt' }] });
      expect(draft.status, JSON.stringify(draft.body)).toBe(201);
      const posted = await accountant.caller.post(`/api/v1/invoices/${draft.body.id}/post`, {});
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
      return posted.body as { id: string; number: string };
    };
    const [deposited, credited, voided] = [await post('80.00'), await post('60.00'), await post('40.00')];

    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.getByRole('link', { name: 'Paiements' }).click();
    await page.getByLabel('Lignes du relevé (CSV)').fill(`date,montant,description\n2026-11-27,80.00,Virement Coop Rapprochée ${deposited.number}\n`);
    await page.getByRole('button', { name: 'Importer le relevé' }).click();
    await page.getByText('1 ligne importée').waitFor();
    const line = page.locator('li[data-bank-line]', { hasText: deposited.number });
    await line.getByText(`Nomme la facture ${deposited.number} (Coop Rapprochée).`).waitFor();
    await expectOnlyLanguage(page, 'fr', 'bank statement');
    await line.getByRole('button', { name: 'Confirmer le paiement' }).click();
    await line.waitFor({ state: 'detached' });
    expect((await accountant.caller.get(`/api/v1/invoices/${deposited.id}`)).body).toMatchObject({ status: 'paid', balance: '0.00' });

    // A credit note for the second: the invoice owes nothing more, and links to its note.
    await page.goto(`/accounting/invoices/${credited.id}`);
    await page.getByLabel('Motif de la note de crédit').fill('Panne de novembre');
    await page.getByRole('button', { name: 'Émettre une note de crédit' }).click();
    await page.getByText(/^Note de crédit AV-\d{4}-\d{5} émise\.$/).waitFor();
    await page.getByRole('link', { name: /^Note de crédit AV-/ }).waitFor();
    expect(await page.locator('[data-balance]').textContent()).toMatch(/^0,00\s\$$/);

    // The third is voided: nothing was paid on it or credited to it.
    await page.goto(`/accounting/invoices/${voided.id}`);
    await page.getByRole('button', { name: 'Annuler la facture' }).click();
    await page.getByRole('button', { name: `Confirmer l’annulation de ${voided.number} (son écriture est contrepassée)` }).click();
    await page.locator('[data-status="void"]').first().waitFor();
    await expectOnlyLanguage(page, 'fr', 'void invoice');
    expect((await accountant.caller.get('/api/v1/accounting/consistency')).body.ok).toBe(true);
  });
});

/** A day as the panel writes it in French ("1 juill. 2031"). */
const frenchDay = (day: string) => new Intl.DateTimeFormat('fr-CA', { dateStyle: 'medium' }).format(new Date(`${day}T12:00:00`));

describe('an accountant keeps the catalogue and the books’ settings', () => {
  it('adds a tax rate ahead of its day, a price to an item of the catalogue, a new item and an account to the chart, and is told in French what the API refused', async () => {
    const { api, admin } = panel();
    const accountant = await makeStaff(api, admin, ['accountant']);
    const item = await accountant.caller.post('/api/v1/billing-items', { code: 'atelier-panneau', nameFr: 'Atelier du panneau', nameEn: 'Panel workshop', kind: 'one_off', accountCode: '4100', unitPrice: '120.00', effectiveFrom: '2020-01-01' });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    const future = `${Number(coopToday(api.config).slice(0, 4)) + 5}-07-01`;

    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.getByRole('link', { name: 'Taux de taxes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Taux de taxes' }).waitFor();
    // Today's QST is in force (seeded), a future GST is typed as a French speaker writes a percentage.
    await page.locator('tr[data-tax="qst"] [data-standing="current"]').waitFor();
    await page.getByLabel('Taxe', { exact: true }).selectOption({ label: 'TPS' });
    await page.getByLabel('À partir du').fill(future);
    await page.getByLabel('Taux', { exact: true }).fill('5,5');
    await page.getByRole('button', { name: 'Ajouter le taux' }).click();
    await page.getByText(`TPS à 5,5 % à partir du ${frenchDay(future)} ajoutée.`).waitFor();
    const row = page.locator(`tr[data-tax="gst"][data-from="${future}"]`);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toBe(`TPS ${frenchDay(future)} 5,5 % Le prix À venir`);
    const rates = (await accountant.caller.get('/api/v1/tax-rates')).body.data;
    expect(rates).toContainEqual({ tax: 'gst', effectiveFrom: future, rate: '0.055000', baseIncludesGst: false });
    // The same day again: the API's refusal, in French.
    await page.getByLabel('Taux', { exact: true }).fill('6');
    await page.getByLabel('À partir du').fill(future);
    await page.getByRole('button', { name: 'Ajouter le taux' }).click();
    await page.getByRole('alert').filter({ hasText: /commence déjà le/ }).waitFor();
    await expectOnlyLanguage(page, 'fr', 'tax rates');
    await expectFitsPhone(page, 'tax rates');

    // A new price for the workshop from the same day; today's price stays in force.
    await page.getByRole('link', { name: 'Articles et prix' }).click();
    const workshop = page.locator('article[data-item="atelier-panneau"]');
    await workshop.getByText(/^120,00\s\$ à partir du/).waitFor();
    await workshop.getByLabel('Nouveau prix unitaire').fill('135,50');
    await workshop.getByLabel('À partir du').fill(future);
    await workshop.getByRole('button', { name: 'Ajouter le prix Atelier du panneau' }).click();
    await workshop.getByText(new RegExp(`^Prix de 135,50\\s\\$ à partir du ${frenchDay(future)} ajouté\\.$`)).waitFor();
    expect((await workshop.locator(`li[data-from="${future}"]`).innerText()).replace(/\s+/g, ' ')).toBe(`135,50 $ à partir du ${frenchDay(future)} À venir`);
    expect(await workshop.locator('li[data-from="2020-01-01"] [data-standing]').textContent()).toBe('En vigueur');

    // A new item, its first price typed with a comma: it joins the catalogue with that price, in force.
    const newItem = page.getByRole('region', { name: 'Ajouter un article' });
    await newItem.getByLabel('Code', { exact: true }).fill('Soutien urgence');
    await newItem.getByLabel('Genre').selectOption({ label: 'Service à l’heure' });
    await newItem.getByLabel('Nom en français').fill('Soutien d’urgence');
    await newItem.getByLabel('Nom en anglais').fill('Emergency support');
    await newItem.getByLabel('Compte de revenus').selectOption('4100');
    await newItem.getByLabel('Prix unitaire').fill('95,25');
    await newItem.getByLabel('À partir du').fill('2024-01-01');
    await newItem.getByRole('button', { name: 'Ajouter l’article' }).click();
    // A code the API refuses, in French, under its field.
    await newItem.getByText('Un code d’article compte de 2 à 60 caractères : lettres minuscules sans accents, chiffres et traits d’union, en commençant par une lettre.').waitFor();
    await newItem.getByLabel('Code', { exact: true }).fill('soutien-urgence');
    await newItem.getByRole('button', { name: 'Ajouter l’article' }).click();
    await newItem.getByText(new RegExp(`^Soutien d’urgence ajouté à 95,25\\s\\$ à partir du ${frenchDay('2024-01-01')}\\.$`)).waitFor();
    const support = page.locator('article[data-item="soutien-urgence"]');
    expect((await support.locator('li[data-from="2024-01-01"]').innerText()).replace(/\s+/g, ' ')).toBe(`95,25 $ à partir du ${frenchDay('2024-01-01')} En vigueur`);
    expect(await support.locator('dd').first().textContent()).toBe('Service à l’heure');
    await expectOnlyLanguage(page, 'fr', 'billing items');
    await expectFitsPhone(page, 'billing items');

    // An account for a new kind of expense, listed under the expenses by its French name.
    await page.getByRole('link', { name: 'Plan comptable' }).click();
    await page.locator('tr[data-account="4100"]').waitFor();
    await page.getByLabel('Code', { exact: true }).fill('5399');
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Dépenses' });
    await page.getByLabel('Nom en français').fill('Frais de panneau');
    await page.getByLabel('Nom en anglais').fill('Panel fees');
    await page.getByRole('button', { name: 'Ajouter le compte' }).click();
    await page.getByText('Compte 5399 · Frais de panneau ajouté.').waitFor();
    expect((await page.locator('tr[data-account="5399"]').innerText()).replace(/\s+/g, ' ')).toBe('5399 Frais de panneau En usage Renommer 5399 Retirer 5399');
    const expenses = page.locator('tbody', { has: page.getByRole('rowheader', { name: 'Dépenses' }) });
    await expenses.locator('tr[data-account="5399"]').waitFor();
    await expectOnlyLanguage(page, 'fr', 'chart of accounts');
    await expectFitsPhone(page, 'chart of accounts');
  });

  it('renames an account and retires it, which a reload shows, then brings it back into use', async () => {
    const { api, admin } = panel();
    const accountant = await makeStaff(api, admin, ['accountant']);
    const account = await accountant.caller.post('/api/v1/accounting/accounts', { code: '5398', nameFr: 'Frais divers', nameEn: 'Sundry costs', type: 'expense' });
    expect(account.status, JSON.stringify(account.body)).toBe(201);

    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.goto('/accounting/accounts');
    const row = page.locator('tr[data-account="5398"]');
    await row.getByRole('button', { name: 'Renommer 5398' }).click();
    await row.getByLabel('Nom en français').fill('Frais de déplacement');
    await row.getByLabel('Nom en anglais').fill('Travel costs');
    await row.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Compte 5398 renommé : Frais de déplacement.').waitFor();
    await row.getByRole('button', { name: 'Retirer 5398' }).click();
    await row.getByRole('button', { name: 'Retirer le compte 5398 : plus aucune écriture n’y sera permise' }).click();
    await page.getByText('Compte 5398 retiré : il ne reçoit plus d’écritures.').waitFor();
    await expectOnlyLanguage(page, 'fr', 'chart of accounts, one retired');

    await page.reload();
    expect(await row.locator('td').first().textContent()).toBe('Frais de déplacement');
    expect(await row.locator('.badge').textContent()).toBe('Retiré');
    const stored = (await accountant.caller.get('/api/v1/accounting/accounts')).body.data.find((candidate: { code: string }) => candidate.code === '5398');
    expect(stored).toMatchObject({ nameFr: 'Frais de déplacement', nameEn: 'Travel costs', active: false });

    await row.getByRole('button', { name: 'Remettre en usage 5398' }).click();
    await page.getByText('Compte 5398 remis en usage.').waitFor();
    await row.locator('.badge', { hasText: 'En usage' }).waitFor();
  });

  it('makes a draft invoice by hand, with a line typed and one from the catalogue, opens it with its taxes and adds a line to it', async () => {
    const { api, admin } = panel();
    const accountant = await makeStaff(api, admin, ['accountant']);
    const item = await accountant.caller.post('/api/v1/billing-items', { code: 'migration-panneau', nameFr: 'Migration de site', nameEn: 'Site migration', kind: 'one_off', accountCode: '4100', unitPrice: '40.00', effectiveFrom: '2020-01-01' });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    const organization = await makeOrganization(admin, { name: 'Coop Brouillonne', locale: 'fr' });

    const page = await panel().newPage('fr-CA');
    await signIn(page, accountant.email, accountant.password);
    await page.getByRole('link', { name: 'Factures', exact: true }).click();
    await page.getByRole('link', { name: 'Nouveau brouillon de facture' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nouveau brouillon de facture' }).waitFor();
    await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Coop Brouillonne' });
    // A price that is not a number: the panel says, under the field and in French, what it takes (a comma as well as a point).
    await page.getByLabel('Description', { exact: true }).fill('Atelier WordPress');
    await page.getByLabel('Quantité').fill('2');
    await page.getByLabel('Prix unitaire').fill('douze');
    await page.getByRole('button', { name: 'Créer le brouillon' }).click();
    await page.getByText('Écrivez un nombre d’au plus 4 décimales, comme 12,50 (avec une virgule ou un point).').waitFor();
    expect(await page.getByLabel('Prix unitaire').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Prix unitaire').fill('75,00');
    await page.getByRole('button', { name: 'Ajouter une ligne' }).click();
    const second = page.locator('fieldset[data-line="1"]');
    await second.getByLabel('Du catalogue').selectOption({ label: 'Migration de site' });
    await expectOnlyLanguage(page, 'fr', 'new draft');
    await expectFitsPhone(page, 'new draft');
    await page.getByRole('button', { name: 'Créer le brouillon' }).click();

    await page.getByRole('heading', { level: 1, name: 'Brouillon pour Coop Brouillonne' }).waitFor();
    const lines = await page.locator('table').first().innerText();
    expect(lines).toMatch(/Atelier WordPress\s+2,00\s+75,00\s\$\s+150,00\s\$/);
    expect(lines).toMatch(/Migration de site\s+1,00\s+40,00\s\$\s+40,00\s\$/);
    expect(lines).toMatch(/TPS \(5\s%\)\s+9,50\s\$/);
    expect(lines).toMatch(/TVQ \(9,975\s%\)\s+18,95\s\$/);
    expect(lines).toMatch(/Total\s+218,45\s\$/);
    const drafts = (await accountant.caller.get(`/api/v1/invoices?organizationId=${organization.id}`)).body.data;
    expect(drafts.map((invoice: { status: string; total: string }) => [invoice.status, invoice.total])).toEqual([['draft', '218.45']]);

    // A line added to the draft from its page: exempt travel costs, after the two it has.
    const addLines = page.getByRole('region', { name: 'Ajouter des lignes' });
    await addLines.getByLabel('Description', { exact: true }).fill('Frais de déplacement');
    await addLines.getByLabel('Prix unitaire').fill('25');
    await addLines.getByLabel('Taxes', { exact: true }).selectOption({ label: 'Exonéré' });
    await expectOnlyLanguage(page, 'fr', 'draft with lines to add');
    await expectFitsPhone(page, 'draft with lines to add');
    await addLines.getByRole('button', { name: 'Ajouter au brouillon' }).click();
    await page.getByText(/^1 ligne ajoutée; le total est maintenant de 243,45\s\$\.$/).waitFor();
    const withTravel = await page.locator('table').first().innerText();
    expect(withTravel).toMatch(/Atelier WordPress[\s\S]*Migration de site[\s\S]*Frais de déplacement\s+1,00\s+25,00\s\$\s+25,00\s\$/);
    expect(withTravel).toMatch(/Total\s+243,45\s\$/);
    const draft = (await accountant.caller.get(`/api/v1/invoices/${drafts[0].id}`)).body;
    expect(draft.lines.map((line: { position: number; kind: string; description: string; taxCode: string }) => [line.position, line.kind, line.description, line.taxCode])).toEqual([
      [1, 'manual', 'Atelier WordPress', 'taxable'],
      [2, 'one_off', 'Migration de site', 'taxable'],
      [3, 'manual', 'Frais de déplacement', 'exempt'],
    ]);
  });
});
