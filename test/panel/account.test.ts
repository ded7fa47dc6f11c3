import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { expectOnlyLanguage, makeFrenchClient, panelHarnessForFile, signIn } from './harness.js';

const panel = panelHarnessForFile();

describe('secrets and security in the panel', () => {
  it('shows a database user’s generated password once, with the connection details', async () => {
    const client = await makeFrenchClient(panel(), 'Coop Données');
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.getByRole('link', { name: 'Bases de données' }).click();
    await page.getByLabel('Nom', { exact: true }).fill('boutique');
    await page.getByRole('button', { name: 'Créer la base' }).click();
    const database = page.locator('li', { has: page.getByRole('heading', { name: /_boutique$/ }) });
    await database.waitFor();
    await page.getByLabel('Nom d’utilisateur').fill('appli');
    await page.getByLabel(/_boutique$/).check();
    await page.getByRole('button', { name: 'Créer l’utilisateur' }).click();
    const secret = page.getByLabel(/^Mot de passe de .*_appli$/);
    await secret.waitFor();
    const password = await secret.inputValue();
    expect(password).toMatch(/^[A-Za-z0-9]{20,}$/);
    await expectOnlyLanguage(page, 'fr', 'database user created');
    await database.getByRole('button', { name: 'Informations de connexion' }).click();
    await database.getByText('localhost').first().waitFor();
    // Once gone, it cannot be shown again: only a new password can be made.
    await page.reload();
    await page.getByRole('heading', { name: /_appli$/ }).waitFor();
    expect(await page.getByText(password).count()).toBe(0);
    expect(await page.locator('input[readonly]').count()).toBe(0);
  });

  it('shows a new API token once, and the token works until revoked', async () => {
    const client = await makeFrenchClient(panel(), 'Coop Jetons');
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.getByRole('link', { name: 'Jetons d’API' }).click();
    await page.getByLabel('Nom', { exact: true }).fill('Script de sauvegarde');
    await page.getByLabel('Limité à').selectOption({ label: 'Coop Jetons' });
    await page.getByRole('button', { name: 'Créer le jeton' }).click();
    const token = await page.getByLabel('Jeton Script de sauvegarde').inputValue();
    expect(token).toMatch(/^rch_/);
    const asScript = { authorization: `Bearer ${token}` };
    expect((await panel().api.anonymous.get('/api/v1/domains', { headers: asScript })).status).toBe(200);
    await page.getByRole('button', { name: 'Je l’ai copié' }).click();
    expect(await page.getByText(token).count()).toBe(0);
    const row = page.locator('tr', { hasText: 'Script de sauvegarde' });
    await row.getByRole('button', { name: 'Révoquer' }).click();
    await row.getByRole('button', { name: 'Révoquer Script de sauvegarde?' }).click();
    await row.getByText('Révoqué').waitFor();
    expect((await panel().api.anonymous.get('/api/v1/domains', { headers: asScript })).status).toBe(401);
  });

  it('turns two-factor authentication on from the QR code’s secret, and sign-in then asks for a code', async () => {
    const client = await makeFrenchClient(panel(), 'Coop Prudente');
    const page = await panel().newPage('fr-CA');
    await signIn(page, client.email, client.password);
    await page.getByRole('link', { name: 'Profil et sécurité' }).click();
    await page.getByRole('button', { name: 'Activer l’authentification à deux facteurs' }).click();
    await page.getByRole('img', { name: 'Code QR pour votre application d’authentification' }).waitFor();
    const secret = (await page.locator('.qr + p code').innerText()).trim();
    // The next step's code for the sign-in: a code already used once is refused (no replay).
    const code = (steps = 0) => OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
    await page.getByLabel('Code de votre application d’authentification').fill(code());
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText('Vos codes de récupération').waitFor();
    expect(await page.locator('.codes li').count()).toBeGreaterThan(4);
    await page.getByText('La connexion demande un code de votre application d’authentification.').waitFor();

    const again = await panel().newPage('fr-CA');
    await again.goto('/sign-in');
    await again.getByLabel('Adresse courriel').fill(client.email);
    await again.getByLabel('Mot de passe', { exact: true }).fill(client.password);
    await again.getByRole('button', { name: 'Se connecter' }).click();
    const otp = again.getByLabel('Code de votre application d’authentification');
    await otp.waitFor();
    await otp.fill(code(1));
    await again.getByRole('button', { name: 'Se connecter' }).click();
    await again.getByRole('heading', { level: 1, name: 'Coop Prudente' }).waitFor();
  });
});
