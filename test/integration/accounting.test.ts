import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeHostingClient, makeOrganization, makeStaff } from '../support/factories.js';
import { makeDraft, makePostedInvoice } from '../support/billing.js';

let api: TestApi;
let admin: Caller;
let accountant: Caller;
let worker: Caller;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  accountant = (await makeStaff(api, admin, ['accountant'])).caller;
  worker = (await makeStaff(api, admin, ['worker'])).caller;
});
afterAll(() => api?.close());

const cents = (amount: string) => Math.round(Number(amount) * 100);

/** hledger's balance of every account of a journal file, by account code, in cents. */
function hledgerBalances(journal: string): Map<string, number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ruche-ledger-'));
  try {
    const file = path.join(dir, 'ruche.journal');
    writeFileSync(file, journal);
    execFileSync('hledger', ['-f', file, 'check'], { encoding: 'utf8' });
    const csv = execFileSync('hledger', ['-f', file, 'balance', '--flat', '--no-total', '-O', 'csv'], { encoding: 'utf8' });
    const balances = new Map<string, number>();
    for (const line of csv.trim().split('\n').slice(1)) {
      const [account, amount] = line.split('","').map((field) => field.replace(/^"|"$/g, ''));
      const code = /:(\d{4,6}) /.exec(account!)![1]!;
      balances.set(code, cents(amount!.replace(/ CAD$/, '').replace(/,/g, '')));
    }
    return balances;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the chart of accounts', () => {
  it('is seeded for a Québec non-profit co-op in French and English, and accountants can extend it', async () => {
    const chart = (await worker.get('/api/v1/accounting/accounts', { headers: { 'accept-language': 'fr' } })).body.data;
    const byCode = new Map(chart.map((account: { code: string }) => [account.code, account]));
    expect(byCode.get('1100')).toMatchObject({ nameFr: 'Comptes clients', nameEn: 'Accounts receivable', type: 'asset' });
    expect(byCode.get('2310')).toMatchObject({ nameFr: 'TPS à payer', nameEn: 'GST payable', type: 'liability' });
    expect(byCode.get('2320')).toMatchObject({ nameFr: 'TVQ à payer', type: 'liability' });
    expect(byCode.get('2400')).toMatchObject({ nameEn: 'Customer credits' });
    expect(byCode.get('3100')).toMatchObject({ nameFr: 'Parts sociales des membres', type: 'equity' });
    expect(byCode.get('4100')).toMatchObject({ nameEn: 'Hosting revenue', type: 'revenue' });
    expect(byCode.get('4200')).toMatchObject({ type: 'revenue' });
    const created = await accountant.post('/api/v1/accounting/accounts', { code: '5210', nameFr: 'Logiciels', nameEn: 'Software', type: 'expense' });
    expect(created.status).toBe(201);
    expect((await accountant.post('/api/v1/accounting/accounts', { code: '5210', nameFr: 'x', nameEn: 'x', type: 'expense' })).status).toBe(409);
    expect((await worker.post('/api/v1/accounting/accounts', { code: '5220', nameFr: 'x', nameEn: 'x', type: 'expense' })).status).toBe(403);
  });

  it('keeps every account Ruche or the catalogue still posts to: none is retired from under them, and no item bills to an account that takes no postings', async () => {
    const chart: Array<{ id: string; code: string }> = (await accountant.get('/api/v1/accounting/accounts')).body.data;
    const idOf = (code: string) => chart.find((account) => account.code === code)!.id;

    // Receivables: every invoice posts there (said in the accountant's language).
    expect((await accountant.patch('/api/v1/auth/me', { locale: 'fr' })).status).toBe(200);
    const receivables = await accountant.patch(`/api/v1/accounting/accounts/${idOf('1100')}`, { active: false });
    expect((await accountant.patch('/api/v1/auth/me', { locale: 'en' })).status).toBe(200);
    expect([receivables.status, receivables.body.error.code]).toEqual([409, 'account_in_use_system']);
    expect(receivables.body.error.message).toBe('Ruche inscrit elle-même des écritures au compte 1100 (factures, paiements ou taxes de vente) : il ne peut pas être retiré.');

    // An account of the co-op's own, then an item billing to it.
    const workshops = await accountant.post('/api/v1/accounting/accounts', { code: '4310', nameFr: 'Ateliers', nameEn: 'Workshops', type: 'revenue' });
    expect(workshops.status).toBe(201);
    const item = { nameFr: 'Atelier WordPress', nameEn: 'WordPress workshop', kind: 'one_off', unitPrice: '120.00', effectiveFrom: '2020-01-01' };
    expect((await accountant.post('/api/v1/billing-items', { ...item, code: 'atelier-wp', accountCode: '4310' })).status).toBe(201);
    const inUse = await accountant.patch(`/api/v1/accounting/accounts/${workshops.body.id}`, { active: false });
    expect([inUse.status, inUse.body.error.code, inUse.body.error.message]).toEqual([409, 'account_in_use_items', 'Catalogue items bill to account 4310 (atelier-wp): it cannot be retired while they do.']);
    expect((await accountant.get('/api/v1/accounting/accounts')).body.data.find((account: { code: string }) => account.code === '4310')).toMatchObject({ active: true });

    // An account nothing posts to is retired; an item cannot bill to it, nor to a code the chart does not have.
    const unused = await accountant.post('/api/v1/accounting/accounts', { code: '4320', nameFr: 'Conférences', nameEn: 'Talks', type: 'revenue' });
    const retired = await accountant.patch(`/api/v1/accounting/accounts/${unused.body.id}`, { active: false });
    expect([retired.status, retired.body.active]).toEqual([200, false]);
    for (const accountCode of ['4320', '4999']) {
      const refused = await accountant.post('/api/v1/billing-items', { ...item, code: `atelier-${accountCode}`, accountCode });
      expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([422, 'account_unknown', `There is no active account with the code ${accountCode}.`]);
    }
    expect((await accountant.get('/api/v1/billing-items')).body.data.map((row: { code: string }) => row.code)).not.toContain('atelier-4320');
    // Nor can a line typed on a draft.
    const organization = await makeOrganization(admin, { name: 'Coop des comptes' });
    const typed = await accountant.post('/api/v1/invoices', { organizationId: organization.id, lines: [{ description: 'Conférence', quantity: '1', unitPrice: '80.00', accountCode: '4320' }] });
    expect([typed.status, typed.body.error?.code]).toEqual([422, 'account_unknown']);

    // A draft's line keeps its account until the draft is posted (or changed).
    const talks = await accountant.post('/api/v1/accounting/accounts', { code: '4330', nameFr: 'Causeries', nameEn: 'Chats', type: 'revenue' });
    const draft = await makeDraft(accountant, organization.id, { lines: [{ description: 'Causerie', accountCode: '4330' }] });
    const pending = await accountant.patch(`/api/v1/accounting/accounts/${talks.body.id}`, { active: false });
    expect([pending.status, pending.body.error.code]).toEqual([409, 'account_in_use_unposted']);
    expect((await accountant.post(`/api/v1/invoices/${draft.id}/post`, {})).status).toBe(200);
    expect((await accountant.patch(`/api/v1/accounting/accounts/${talks.body.id}`, { active: false })).status).toBe(200);
  });
});

describe('the journal', () => {
  it('takes balanced manual entries only, and the database refuses an unbalanced one at commit', async () => {
    const unbalanced = await accountant.post('/api/v1/accounting/journal', { date: '2016-01-05', description: 'Loyer', lines: [{ account: '5300', debit: '800.00' }, { account: '1010', credit: '700.00' }] });
    expect([unbalanced.status, unbalanced.body.error.code]).toEqual([422, 'entry_unbalanced']);
    const rent = await accountant.post('/api/v1/accounting/journal', { date: '2016-01-05', description: 'Loyer de janvier', lines: [{ account: '5300', debit: '800.00' }, { account: '1010', credit: '800.00' }] });
    expect(rent.status, JSON.stringify(rent.body)).toBe(201);
    // Behind the API's back: lines that do not balance never commit.
    await expect(
      api.db.transaction(async (manager) => {
        await manager.query(`INSERT INTO journal_entries (id, entry_date, description, source_type, source_id, content_hash) VALUES ('01a1ffff-0000-7000-8000-000000000001', '2016-01-06', 'x', 'manual', 'x', 'x')`);
        await manager.query(`INSERT INTO journal_lines (entry_id, position, account_id, debit_cents, credit_cents) SELECT '01a1ffff-0000-7000-8000-000000000001', 1, id, 100, 0 FROM accounts WHERE code = '1010'`);
      }),
    ).rejects.toThrow(/does not balance/);
    // Nor can lines be added to an entry once it is posted.
    await expect(api.db.query(`INSERT INTO journal_lines (entry_id, position, account_id, debit_cents, credit_cents) SELECT $1, 9, id, 1, 0 FROM accounts WHERE code = '1010'`, [rent.body.id])).rejects.toThrow(/already posted/);
    // A reversal references what it reverses, once.
    const reversal = await accountant.post(`/api/v1/accounting/journal/${rent.body.id}/reversal`, { date: '2016-01-07' });
    expect(reversal.status).toBe(201);
    expect((await accountant.get(`/api/v1/accounting/journal/${reversal.body.id}`)).body).toMatchObject({ reversesId: rent.body.id, lines: [{ account: '5300', credit: '800.00' }, { account: '1010', debit: '800.00' }] });
    expect((await accountant.post(`/api/v1/accounting/journal/${rent.body.id}/reversal`, { date: '2016-01-08' })).body.error.code).toBe('entry_already_reversed');
  });
});

describe('closed periods', () => {
  it('refuse posting, or date it into the next open period when the accountant chooses so', async () => {
    const org = await makeOrganization(admin);
    const draft = await makeDraft(accountant, org.id, { issueDate: '2017-06-15' });
    expect((await accountant.post('/api/v1/accounting/closed-periods', { month: '2017-06' })).status).toBe(201);
    expect((await accountant.post('/api/v1/accounting/closed-periods', { month: '2017-06' })).status).toBe(409);
    expect((await worker.post('/api/v1/accounting/closed-periods', { month: '2017-07' })).status).toBe(403);

    const refused = await accountant.post(`/api/v1/invoices/${draft.id}/post`, {});
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([
      409,
      'period_closed',
      'The period 2017-06 is closed: nothing can be posted into it. Choose a date in an open period, or ask to post into the next open period.',
    ]);
    expect((await accountant.get(`/api/v1/invoices/${draft.id}`)).body.status).toBe('draft');
    const manual = await accountant.post('/api/v1/accounting/journal', { date: '2017-06-20', description: 'x', lines: [{ account: '5400', debit: '1.00' }, { account: '1010', credit: '1.00' }] });
    expect(manual.body.error.code).toBe('period_closed');
    // The database refuses it too, whatever the SQL.
    await expect(api.db.query(`INSERT INTO journal_entries (id, entry_date, description, source_type, source_id, content_hash) VALUES ('01a1ffff-0000-7000-8000-000000000002', '2017-06-30', 'x', 'manual', 'y', 'x')`)).rejects.toThrow(/period 2017-06 is closed/);
    await expect(api.db.query(`DELETE FROM closed_periods WHERE month = '2017-06-01'`)).rejects.toThrow(/append-only/);

    const payment = { organizationId: org.id, method: 'cheque', reference: 'chèque 7', amount: '20.00', receivedOn: '2017-06-20' };
    expect((await accountant.post('/api/v1/payments', payment)).body.error.code).toBe('period_closed');
    const late = await accountant.post('/api/v1/payments', { ...payment, whenClosed: 'next_open' });
    expect(late.status).toBe(201);
    const entries = (await accountant.get('/api/v1/accounting/journal?from=2017-07-01&to=2017-07-01')).body.data;
    expect(entries.find((entry: { sourceId: string }) => entry.sourceId === late.body.id)).toMatchObject({ sourceType: 'payment', date: '2017-07-01' });

    const moved = await accountant.post(`/api/v1/invoices/${draft.id}/post`, { whenClosed: 'next_open' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect([moved.body.status, moved.body.issueDate, moved.body.number]).toEqual(['posted', '2017-07-01', '2017-00001']);
  });
});

describe('reports', () => {
  it('export a journal hledger accepts, whose balances equal Ruche’s trial balance', async () => {
    const { organization } = await makeHostingClient(api, admin);
    const invoice = await makePostedInvoice(accountant, organization.id, { issueDate: '2018-03-01', lines: [{ unitPrice: '215.00' }, { description: 'Formation', unitPrice: '60.00', taxCode: 'zero_rated' }] });
    await accountant.post('/api/v1/payments', { organizationId: organization.id, method: 'transfer', reference: 'virement', amount: '300.00', receivedOn: '2018-03-15', allocations: [{ invoiceId: invoice.id, amount: '200.00' }] });
    await accountant.post(`/api/v1/invoices/${invoice.id}/credit-notes`, { issueDate: '2018-03-20', lines: [{ description: 'Rabais', quantity: '1', unitPrice: '10', taxCode: 'taxable' }] });

    const journal = await worker.get('/api/v1/accounting/journal?format=ledger&locale=fr');
    expect(journal.status).toBe(200);
    expect(journal.headers['content-type']).toContain('text/plain');
    expect(journal.body).toContain('Actifs:1100 Comptes clients');
    const fromHledger = hledgerBalances(journal.body as string);
    const trial = (await worker.get('/api/v1/accounting/reports/trial-balance')).body;
    const fromRuche = new Map<string, number>(trial.accounts.filter((a: { debit: string; credit: string }) => a.debit !== '0.00' || a.credit !== '0.00').map((a: { code: string; balance: string }) => [a.code, cents(a.balance)]));
    expect([...fromHledger].filter(([, balance]) => balance !== 0).sort()).toEqual([...fromRuche].filter(([, balance]) => balance !== 0).sort());
    expect(trial.totals.debit).toBe(trial.totals.credit);
    expect(fromRuche.get('1100')).toBeGreaterThan(0);
  });

  it('give the income statement, balance sheet, general ledger, aging and GST/QST return, as JSON and CSV, to every worker', async () => {
    const org = await makeOrganization(admin, { name: 'Aging Co' });
    const old = await makePostedInvoice(accountant, org.id, { issueDate: '2019-01-01', lines: [{ unitPrice: '100.00' }] });
    await makePostedInvoice(accountant, org.id, { issueDate: '2019-03-20', lines: [{ unitPrice: '50.00', taxCode: 'exempt' }] });

    const income = (await worker.get('/api/v1/accounting/reports/income-statement?from=2019-01-01&to=2019-12-31')).body;
    expect(income).toMatchObject({ totalRevenue: '150.00', totalExpenses: '0.00', surplus: '150.00' });
    // Month by month, in one answer: the same revenue, where each invoice was dated; months without entries at zero.
    const byMonth = (await worker.get('/api/v1/accounting/reports/income-by-month?from=2018-12&to=2019-04')).body;
    expect(byMonth.months.map((m: { month: string; revenue: string }) => [m.month, m.revenue])).toEqual([
      ['2018-12', '0.00'],
      ['2019-01', '100.00'],
      ['2019-02', '0.00'],
      ['2019-03', '50.00'],
      ['2019-04', '0.00'],
    ]);
    expect(byMonth.totals).toEqual({ revenue: '150.00', expenses: '0.00', surplus: '150.00' });
    const byMonthCsv = await worker.get('/api/v1/accounting/reports/income-by-month?from=2019-01&to=2019-01&format=csv');
    expect((byMonthCsv.body as string).split('\r\n').slice(0, 2)).toEqual(['month,revenue,expenses,surplus', '2019-01,100.00,0.00,100.00']);
    expect((await worker.get('/api/v1/accounting/reports/income-by-month')).body.months).toHaveLength(12);
    expect((await worker.get('/api/v1/accounting/reports/income-by-month?from=2019-05&to=2019-01')).status).toBe(422);
    expect((await worker.get('/api/v1/accounting/reports/income-by-month?from=2000-01&to=2019-01')).status).toBe(422);
    const sheet = (await worker.get('/api/v1/accounting/reports/balance-sheet?at=2019-12-31')).body;
    expect(sheet.totalAssets).toBe(sheet.totalLiabilitiesAndEquity);

    const aging = (await worker.get('/api/v1/accounting/reports/receivables-aging?at=2019-04-15')).body;
    const mine = aging.customers.find((c: { organizationId: string }) => c.organizationId === org.id);
    // Due 2019-01-31: 74 days late on 2019-04-15; the March invoice is not due yet.
    expect(mine).toMatchObject({ name: 'Aging Co', current: '50.00', days61to90: old.total, total: (114.98 + 50).toFixed(2) });

    const tax = (await worker.get('/api/v1/accounting/reports/sales-tax?from=2019-01-01&to=2019-03-31')).body;
    expect(tax).toMatchObject({ taxableSales: '100.00', exemptSales: '50.00', gstCollected: '5.00', qstCollected: '9.98', invoices: 2, creditNotes: 0 });
    const csv = await worker.get('/api/v1/accounting/reports/trial-balance?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect((csv.body as string).split('\r\n')[0]).toBe('code,name,type,debit,credit,balance');
    const ledger = (await worker.get('/api/v1/accounting/reports/general-ledger?account=1100&from=2019-01-01&to=2019-12-31')).body;
    // Over 2019, receivables grew by exactly this customer's two invoices (114.98 and 50.00).
    expect(cents(ledger.closingBalance) - cents(ledger.openingBalance)).toBe(16498);
    expect(ledger.lines.every((line: { partyId: string }) => line.partyId === org.id)).toBe(true);
    const consistency = (await worker.get('/api/v1/accounting/consistency')).body;
    expect(consistency.ok, JSON.stringify(consistency)).toBe(true);
    expect(consistency.checks.map((check: { name: string }) => check.name).sort()).toEqual(['customer_credits_match_payments', 'entries_balance', 'journal_unchanged', 'posted_documents_unchanged', 'receivables_match_open_invoices']);
  });
});
