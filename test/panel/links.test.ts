import { describe, expect, it } from 'vitest';
import { makeClient, makeOrganization } from '../support/factories.js';
import { expectOnlyLanguage, mailedLink, panelHarnessForFile, signIn } from './harness.js';

const panel = panelHarnessForFile();

describe('links mailed by Ruche open working pages', () => {
  it('an invitation to a new address: the person chooses a password and lands in the organisation', async () => {
    const organization = await makeOrganization(panel().admin, { name: 'Coop Accueil' });
    const email = `nouvelle-${Date.now()}@example.org`;
    expect((await panel().admin.post(`/api/v1/organizations/${organization.id}/members`, { email, role: 'member', locale: 'fr' })).status).toBe(201);
    const link = await mailedLink(panel().api, email, '/invitation');
    expect(link.startsWith(panel().baseUrl)).toBe(true);

    const page = await panel().newPage('fr-CA');
    await page.goto(link);
    await page.getByText('Vous êtes invité·e à rejoindre Coop Accueil comme membre').waitFor();
    // The token leaves the address bar (and the history) as soon as the page has it.
    expect(new URL(page.url()).hash).toBe('');
    await expectOnlyLanguage(page, 'fr', 'invitation');
    await page.getByLabel('Nouveau mot de passe').fill('un-mot-de-passe-assez-long');
    await page.getByLabel('Confirmez le mot de passe').fill('un-autre-mot-de-passe-long');
    await page.getByRole('button', { name: 'Accepter' }).click();
    await page.getByText('Les deux mots de passe diffèrent.').waitFor();
    await page.getByLabel('Nouveau mot de passe').fill('mon-mot-de-passe-tout-neuf');
    await page.getByLabel('Confirmez le mot de passe').fill('mon-mot-de-passe-tout-neuf');
    await page.getByRole('button', { name: 'Accepter' }).click();
    await page.waitForURL(`**/o/${organization.id}`);
    await page.getByRole('heading', { level: 1, name: 'Coop Accueil' }).waitFor();
    // The same link does not work twice.
    const again = await panel().newPage('fr-CA');
    await again.goto(link);
    await again.getByRole('alert').waitFor();
    expect(await again.getByRole('button', { name: 'Accepter' }).count()).toBe(0);
  });

  it('an invitation to someone who has an account: they confirm with their password and join', async () => {
    const first = await makeOrganization(panel().admin, { name: 'Coop Première maison' });
    const client = await makeClient(panel().api, panel().admin, first.id, { role: 'owner', locale: 'fr' });
    const second = await makeOrganization(panel().admin, { name: 'Coop Deuxième maison' });
    expect((await panel().admin.post(`/api/v1/organizations/${second.id}/members`, { email: client.email, role: 'owner' })).status).toBe(201);
    const page = await panel().newPage('fr-CA');
    await page.goto(await mailedLink(panel().api, client.email, '/invitation'));
    await page.getByText('Vous avez déjà un compte').waitFor();
    await page.getByLabel('Mot de passe', { exact: true }).fill(client.password);
    await page.getByRole('button', { name: 'Accepter' }).click();
    await page.waitForURL(`**/o/${second.id}`);
    await page.getByRole('heading', { level: 1, name: 'Coop Deuxième maison' }).waitFor();
    // Two organisations now: the switcher offers both.
    await page.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Coop Première maison' });
    await page.getByRole('heading', { level: 1, name: 'Coop Première maison' }).waitFor();
  });

  it('a forgotten password: asked for from the sign-in page, chosen through the mailed link, then used', async () => {
    const organization = await makeOrganization(panel().admin, { name: 'Coop Oublieuse' });
    const client = await makeClient(panel().api, panel().admin, organization.id, { locale: 'fr' });
    const page = await panel().newPage('fr-CA');
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Mot de passe oublié?' }).click();
    await page.getByLabel('Adresse courriel').fill(client.email);
    await page.getByRole('button', { name: 'Envoyer le lien' }).click();
    await page.getByText('Si un compte utilise cette adresse, un lien est en route.').waitFor();

    const reset = await panel().newPage('fr-CA');
    await reset.goto(await mailedLink(panel().api, client.email, '/reset-password'));
    await expectOnlyLanguage(reset, 'fr', 'reset password');
    await reset.getByLabel('Nouveau mot de passe').fill('un-nouveau-mot-de-passe');
    await reset.getByLabel('Confirmez le mot de passe').fill('un-nouveau-mot-de-passe');
    await reset.getByRole('button', { name: 'Changer mon mot de passe' }).click();
    await reset.getByText('Votre mot de passe est changé.').waitFor();

    await signIn(reset, client.email, 'un-nouveau-mot-de-passe');
    await reset.getByRole('heading', { level: 1, name: 'Coop Oublieuse' }).waitFor();
    // The old password no longer opens the account, and the answer says so in French.
    const old = await panel().newPage('fr-CA');
    await old.goto('/sign-in');
    await old.getByLabel('Adresse courriel').fill(client.email);
    await old.getByLabel('Mot de passe', { exact: true }).fill(client.password);
    await old.getByRole('button', { name: 'Se connecter' }).click();
    await old.getByRole('alert').waitFor();
    expect(new URL(old.url()).pathname).toBe('/sign-in');
    await expectOnlyLanguage(old, 'fr', 'sign-in refused');
  });
});
