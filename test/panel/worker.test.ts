import { describe, expect, it } from 'vitest';
import { makeStaff } from '../support/factories.js';
import { makeContract, recordTime } from '../support/timekeeping.js';
import { coopToday, expectFitsPhone, expectOnlyLanguage, panelHarnessForFile, signIn } from './harness.js';

const panel = panelHarnessForFile();

describe('a worker in the panel', () => {
  it('times their work: starts the timer, watches it run, stops it, and finds the entry in the week’s timesheet', async () => {
    const { api, admin } = panel();
    const coordinator = await makeStaff(api, admin, ['coordinator']);
    const contract = await makeContract(coordinator.caller, { name: 'Site de la coop', kind: 'internal', hourlyRate: undefined });
    const worker = await makeStaff(api, admin, ['worker']);

    const page = await panel().newPage('fr-CA');
    await signIn(page, worker.email, worker.password);
    // A worker with no organisation lands on their timesheet.
    await page.getByRole('heading', { level: 1, name: 'Ma feuille de temps' }).waitFor();
    await page.getByText('Aucun temps inscrit cette semaine.').waitFor();
    await page.getByLabel('Contrat ou projet').first().selectOption({ label: 'Site de la coop' });
    await page.getByLabel('Description', { exact: true }).first().fill('Maquette de la page d’accueil');
    await page.getByRole('button', { name: 'Démarrer le chronomètre' }).click();

    // The running time shows, and moves.
    const clock = page.getByRole('timer', { name: 'Temps au chronomètre' });
    await clock.waitFor();
    const first = await clock.textContent();
    expect(first).toMatch(/^0:00:0\d$/);
    await page.waitForFunction((before) => document.querySelector('[role="timer"]')?.textContent !== before, first);
    await expectOnlyLanguage(page, 'fr', 'running timer');
    // Still running after a reload: the timer lives on the server.
    await page.reload();
    await clock.waitFor();

    await page.getByRole('button', { name: 'Arrêter et inscrire' }).click();
    // A minute at most, rounded up to the quarter hour (RUCHE_TIME_ROUNDING's default).
    await page.getByText(/^0,25 h inscrites le /).waitFor();
    await clock.waitFor({ state: 'detached' });
    const entry = page.locator('li[data-entry]', { hasText: 'Site de la coop' });
    await entry.waitFor();
    expect(await entry.innerText()).toMatch(/0,25 h[\s\S]*Travail · Site de la coop — Maquette de la page d’accueil[\s\S]*Ouvert/);
    expect(await page.getByRole('status').filter({ hasText: 'Total de la semaine' }).textContent()).toBe('Total de la semaine : 0,25 h');
    await expectOnlyLanguage(page, 'fr', 'timesheet');
    await expectFitsPhone(page, 'timesheet');

    // The API holds the same entry: the worker's own, on the contract, rounded once.
    const entries = (await worker.caller.get(`/api/v1/time-entries?workerId=${worker.userId}`)).body.data;
    expect(entries.map((e: Record<string, unknown>) => [e.contractId, e.category, e.minutes, e.description, e.status])).toEqual([[contract.id, 'work', 15, 'Maquette de la page d’accueil', 'open']]);
    expect(entries[0].recordedMinutes).toBeLessThanOrEqual(2);
  });

  it('a coordinator approves a worker’s entry of the month, sees it approved, and sends it back; a worker has no such page', async () => {
    const { api, admin } = panel();
    const coordinator = await makeStaff(api, admin, ['coordinator']);
    const contract = await makeContract(coordinator.caller, { name: 'Entretien des serveurs', kind: 'internal', hourlyRate: undefined });
    const worker = await makeStaff(api, admin, ['worker']);
    const today = coopToday(api.config);
    const entry = await recordTime(worker.caller, { workDate: today, minutes: 90, contractId: contract.id, description: 'Mises à jour de sécurité' });
    const other = await recordTime(worker.caller, { workDate: today, minutes: 30, contractId: contract.id, description: 'Sauvegardes' });
    const workerName = (await worker.caller.get(`/api/v1/time-entries/${entry.id}`)).body.workerName as string;
    const day = new Intl.DateTimeFormat('fr-CA', { dateStyle: 'medium' }).format(new Date(`${today}T12:00:00`));

    const page = await panel().newPage('fr-CA');
    await signIn(page, coordinator.email, coordinator.password);
    await page.getByRole('link', { name: 'Approuver le temps' }).click();
    await page.getByRole('heading', { level: 1, name: 'Approuver le temps' }).waitFor();
    const section = page.locator(`section[data-worker="${worker.userId}"]`);
    await section.getByRole('heading', { level: 2, name: workerName }).waitFor();
    expect(await section.getByText(/h ce mois-ci/).textContent()).toBe('2,00 h ce mois-ci; 2 entrées à approuver.');
    const approveButton = page.getByRole('button', { name: 'Approuver les entrées choisies' });
    expect(await approveButton.isDisabled()).toBe(true);
    await section.getByLabel(`Choisir 1,50 h le ${day} (${workerName})`).check();
    await page.getByRole('button', { name: 'Approuver 1 entrée' }).click();
    await page.getByText('1 entrée approuvée (1,50 h).').waitFor();
    const row = section.locator(`tr[data-entry="${entry.id}"]`);
    await row.locator('[data-status="approved"]').waitFor();
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain('1,50 h Travail · Entretien des serveurs — Mises à jour de sécurité Approuvé');
    expect(await section.locator(`tr[data-entry="${other.id}"] [data-status]`).textContent()).toBe('Ouvert');
    expect((await coordinator.caller.get(`/api/v1/time-entries/${entry.id}`)).body.status).toBe('approved');
    await expectOnlyLanguage(page, 'fr', 'approval');
    await expectFitsPhone(page, 'approval');

    // Sent back to its worker: open again, on the page and in the API.
    await row.getByRole('button', { name: 'Renvoyer' }).click();
    await row.getByRole('button', { name: `Renvoyer à ${workerName} les 1,50 h du ${day} ?` }).click();
    await page.getByText(`1,50 h renvoyées à ${workerName}.`).waitFor();
    await row.locator('[data-status="open"]').waitFor();
    expect((await coordinator.caller.get(`/api/v1/time-entries/${entry.id}`)).body.status).toBe('open');

    // A worker sees neither the link nor the page.
    const workerPage = await panel().newPage('fr-CA');
    await signIn(workerPage, worker.email, worker.password);
    await workerPage.getByRole('heading', { level: 1, name: 'Ma feuille de temps' }).waitFor();
    expect(await workerPage.getByRole('link', { name: 'Approuver le temps' }).count()).toBe(0);
    await workerPage.goto('/worker/approval');
    await workerPage.getByRole('heading', { level: 2, name: 'Page introuvable' }).waitFor();
  });
});
