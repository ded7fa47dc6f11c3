import { describe, expect, it } from 'vitest';
import { addDays, mondayOf } from '../../apps/panel/src/components/dates.js';
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

  it('a coordinator approves last week’s entries in a batch from the week view; this week’s stays open', async () => {
    const { api, admin } = panel();
    const coordinator = await makeStaff(api, admin, ['coordinator']);
    const contract = await makeContract(coordinator.caller, { name: 'Migration du courriel', kind: 'internal', hourlyRate: undefined });
    const worker = await makeStaff(api, admin, ['worker']);
    const today = coopToday(api.config);
    const lastMonday = addDays(mondayOf(today), -7);
    const monday = await recordTime(worker.caller, { workDate: lastMonday, minutes: 60, contractId: contract.id, description: 'Inventaire des boîtes' });
    const tuesday = await recordTime(worker.caller, { workDate: addDays(lastMonday, 1), minutes: 45, contractId: contract.id, description: 'Copie des boîtes' });
    const thisWeek = await recordTime(worker.caller, { workDate: today, minutes: 30, contractId: contract.id, description: 'Bascule' });
    const workerName = (await worker.caller.get(`/api/v1/time-entries/${monday.id}`)).body.workerName as string;
    const frenchDay = (day: string) => new Intl.DateTimeFormat('fr-CA', { dateStyle: 'medium' }).format(new Date(`${day}T12:00:00`));

    const page = await panel().newPage('fr-CA');
    await signIn(page, coordinator.email, coordinator.password);
    await page.goto('/worker/approval');
    await page.getByLabel('Période').selectOption({ label: 'Par semaine' });
    const section = page.locator(`section[data-worker="${worker.userId}"]`);
    // This week: its one entry only.
    expect(await section.getByText(/h dans la semaine/).textContent()).toBe('0,50 h dans la semaine; 1 entrée à approuver.');
    await page.getByRole('button', { name: '← Semaine précédente' }).click();
    await page.getByText(`Semaine du ${frenchDay(lastMonday)} au ${frenchDay(addDays(lastMonday, 6))}`).waitFor();
    await section.getByText('1,75 h dans la semaine; 2 entrées à approuver.').waitFor();
    expect(await section.locator(`tr[data-entry="${thisWeek.id}"]`).count()).toBe(0);
    await expectOnlyLanguage(page, 'fr', 'approval by week');
    await expectFitsPhone(page, 'approval by week');

    await section.getByRole('button', { name: `Choisir toutes les entrées à approuver de ${workerName}` }).click();
    await page.getByRole('button', { name: 'Approuver 2 entrées' }).click();
    await page.getByText('2 entrées approuvées (1,75 h).').waitFor();
    for (const entry of [monday, tuesday]) await section.locator(`tr[data-entry="${entry.id}"] [data-status="approved"]`).waitFor();
    const statuses = async (ids: string[]) => Promise.all(ids.map(async (id) => (await coordinator.caller.get(`/api/v1/time-entries/${id}`)).body.status));
    expect(await statuses([monday.id, tuesday.id, thisWeek.id])).toEqual(['approved', 'approved', 'open']);
  });
});
