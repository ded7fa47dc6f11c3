/// <reference lib="dom" />
// Page scripts (evaluate) run in the browser: the DOM types are theirs.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createLogger } from '@ruche/core';
import { TIMEKEEPING_SETTINGS } from '@ruche/timekeeping';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { en } from '../../apps/panel/src/i18n/en-CA.js';
import { fr } from '../../apps/panel/src/i18n/fr-CA.js';
import { makeClient, makeOrganization } from '../support/factories.js';
import { mailsTo } from '../support/mail.js';
import { freePort } from '../support/ports.js';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';

const root = path.resolve(import.meta.dirname, '../..');
export const PANEL_DIR = path.join(root, 'apps/panel/dist');
/** Screenshots and timings land here (ignored by git), for a person to look at after a run. */
export const ARTEFACTS = path.join(root, 'test-results/panel');
export const CHROMIUM = process.env.RUCHE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface PanelHarness {
  api: TestApi;
  admin: Caller;
  baseUrl: string;
  browser: Browser;
  worker: INestApplicationContext;
  /** Script errors the panel threw in any page: a test ends by checking there were none. */
  pageErrors: string[];
  /** A fresh browser profile (no cookies) speaking `locale`. */
  newPage(locale?: 'fr-CA' | 'en-CA', viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * What a person meets: the real API listening on 127.0.0.1 (a real PostgreSQL, the built panel
 * at `/`), a worker reconciling onto the embedded `local` server, and Debian's Chromium.
 */
export async function startPanelHarness(env: Record<string, string> = {}): Promise<PanelHarness> {
  if (!existsSync(path.join(PANEL_DIR, 'index.html'))) throw new Error(`the panel is not built (${PANEL_DIR}): run \`npm run build\` first`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: \`npm test\` installs Debian's chromium`);
  await mkdir(ARTEFACTS, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = await startTestApi({
    PORT: String(port),
    RUCHE_PUBLIC_URL: baseUrl,
    RUCHE_PANEL_DIR: PANEL_DIR,
    RUCHE_LOCAL_SERVER: 'true',
    RUCHE_DEFAULT_LOCALE: 'fr',
    RUCHE_WORKER_METRICS_PORT: '0',
    RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: '5',
    RUCHE_QUEUE_POLL_INTERVAL_MS: '250',
    RUCHE_DNS_NAMESERVERS: 'ns1.coop.example,ns2.coop.example',
    ...env,
  });
  const contexts = new Set<BrowserContext>();
  let worker: INestApplicationContext | undefined;
  let browser: Browser | undefined;
  try {
    await api.app.listen({ host: '127.0.0.1', port });
    worker = await createWorker(api.config, createLogger(process.env.RUCHE_TEST_LOG_LEVEL ?? 'silent'), api.config.databaseUrl!);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  } catch (error) {
    await browser?.close().catch(() => undefined);
    if (worker) await stopWorker(worker).catch(() => undefined);
    await api.close().catch(() => undefined);
    throw error;
  }
  const admin = await api.admin();
  const pageErrors: string[] = [];
  return {
    pageErrors,
    api,
    admin,
    baseUrl,
    browser,
    worker,
    async newPage(locale = 'fr-CA', viewport = DESKTOP) {
      // The co-op's people browse from where it works: the browser's day is the co-op's day.
      const context = await browser!.newContext({ baseURL: baseUrl, locale, viewport, timezoneId: TIMEKEEPING_SETTINGS.of(api.config).timeZone });
      contexts.add(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser!.close().catch(() => undefined);
      await stopWorker(worker!).catch(() => undefined);
      await api.close().catch(() => undefined);
    },
  };
}

/**
 * One harness for a test file: started before its tests, stopped after them; a test after
 * which the panel had thrown a script error fails.
 */
export function panelHarnessForFile(env: Record<string, string> = {}): () => PanelHarness {
  let harness: PanelHarness | undefined;
  beforeAll(async () => {
    harness = await startPanelHarness(env);
  });
  afterAll(() => harness?.close());
  afterEach(() => {
    expect(harness?.pageErrors.splice(0) ?? []).toEqual([]);
  });
  return () => {
    if (!harness) throw new Error('the panel harness has not started');
    return harness;
  };
}

/** The newest link to `page` in the mail Ruche sent to `recipient`, as the person would click it. */
export async function mailedLink(api: TestApi, recipient: string, page: '/invitation' | '/reset-password'): Promise<string> {
  for (const mail of await mailsTo(api, recipient)) {
    const match = new RegExp(`https?://\\S+${page}#[A-Za-z0-9_-]{20,}`).exec(mail.text);
    if (match) return match[0];
  }
  throw new Error(`no ${page} link mailed to ${recipient}`);
}

/** A French-speaking organisation with its owner, who chose a password through the mailed link. */
export async function makeFrenchClient(harness: PanelHarness, name: string) {
  const organization = await makeOrganization(harness.admin, { name, locale: 'fr' });
  const client = await makeClient(harness.api, harness.admin, organization.id, { role: 'owner', locale: 'fr' });
  return { organization, ...client };
}

/** Today where the co-op works (its time zone, as its people's browsers are set here): YYYY-MM-DD. */
export function coopToday(config: Parameters<typeof TIMEKEEPING_SETTINGS.of>[0]): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIMEKEEPING_SETTINGS.of(config).timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export async function signIn(page: Page, email: string, password: string, locale: 'fr' | 'en' = 'fr'): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel(locale === 'fr' ? 'Adresse courriel' : 'Email address').fill(email);
  await page.getByLabel(locale === 'fr' ? 'Mot de passe' : 'Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: locale === 'fr' ? 'Se connecter' : 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** Waits for a resource's row or card to show a phase (the page follows it live: no reload). */
export async function phaseOf(container: Locator, phase: 'pending' | 'applying' | 'ready' | 'failed', timeout = 30_000): Promise<void> {
  await container.locator(`[data-phase="${phase}"]`).first().waitFor({ timeout });
}

/** Catalogue strings that are this language's and not the other's (nothing with placeholders). */
function ownStrings(mine: Record<string, string>, theirs: Record<string, string>): Set<string> {
  const shared = new Set(Object.values(theirs));
  return new Set(Object.entries(mine).filter(([key, value]) => !value.includes('{') && value !== theirs[key] && !shared.has(value)).map(([, value]) => value));
}
const FRENCH_ONLY = ownStrings(fr, en);
const ENGLISH_ONLY = ownStrings(en, fr);

/** Every visible text, label and accessible name on the page. */
export async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = node.textContent?.trim();
      if (!text || !parent || !parent.checkVisibility({ visibilityProperty: true })) continue;
      if (parent.closest('details:not([open])') && !parent.closest('summary')) continue;
      // Code is the data's own spelling (an action name, a field, a host name), not the interface's.
      if (parent.closest('code')) continue;
      texts.push(text);
    }
    for (const element of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      for (const attribute of ['aria-label', 'placeholder', 'title']) {
        const value = element.getAttribute(attribute)?.trim();
        if (value) texts.push(value);
      }
    }
    texts.push(document.title.replace(/ · Ruche$/, ''));
    return texts;
  });
}

/** No string of the other language on the page (the language switch names the other language on purpose). */
export async function expectOnlyLanguage(page: Page, locale: 'fr' | 'en', where: string): Promise<void> {
  const foreign = locale === 'fr' ? ENGLISH_ONLY : FRENCH_ONLY;
  const allowed = new Set(['English', 'Français', locale === 'fr' ? en['language.switch'] : fr['language.switch']]);
  const found = (await visibleTexts(page)).filter((text) => foreign.has(text) && !allowed.has(text));
  expect(found, `${where}: strings of the other language`).toEqual([]);
  expect(await page.locator('html').getAttribute('lang'), where).toBe(locale === 'fr' ? 'fr-CA' : 'en-CA');
}

/**
 * axe-core finds no serious or critical violation, at desktop and at phone width, and a
 * screenshot of each is kept as an artefact (test-results/panel/<name>-desktop|phone.png).
 */
export async function auditPage(page: Page, name: string): Promise<void> {
  for (const [width, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(' | ')}`);
    expect(serious, `${name} at ${width} width`).toEqual([]);
    await page.screenshot({ path: path.join(ARTEFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** At phone width nothing is wider than the screen (wide tables scroll inside their own region). */
export async function expectFitsPhone(page: Page, where: string): Promise<void> {
  await page.setViewportSize(PHONE);
  try {
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${where} at phone width`).toBeLessThanOrEqual(PHONE.width);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}
