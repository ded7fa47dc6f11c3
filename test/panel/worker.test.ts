import { describe, expect, it } from 'vitest';
import { makeStaff } from '../support/factories.js';
import { makeContract } from '../support/timekeeping.js';
import { expectFitsPhone, expectOnlyLanguage, panelHarnessForFile, signIn } from './harness.js';

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
});
