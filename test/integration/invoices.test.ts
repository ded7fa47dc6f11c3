import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailService, OutboundMail, TransactionalConnection } from '@ruche/core';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeClient, makeHostingClient, makeOrganization, makeStaff } from '../support/factories.js';
import { mailsTo } from '../support/mail.js';
import { makeDraft, makePostedInvoice, pdfText } from '../support/billing.js';

let api: TestApi;
let admin: Caller;
let accountant: Caller;

beforeAll(async () => {
  api = await startTestApi({
    RUCHE_COOP_NAME: 'Réseau Koumbit',
    RUCHE_COOP_ADDRESS: '1234 rue Saint-Denis\\nMontréal (Québec) H2X 3K2',
    RUCHE_GST_NUMBER: '123456789 RT0001',
    RUCHE_QST_NUMBER: '1234567890 TQ0001',
  });
  admin = await api.admin();
  accountant = (await makeStaff(api, admin, ['accountant'])).caller;
});
afterAll(() => api?.close());

/** What the accountant is answered once their language is French (it is English otherwise). */
async function inFrench<T>(request: () => Promise<T>): Promise<T> {
  expect((await accountant.patch('/api/v1/auth/me', { locale: 'fr' })).status).toBe(200);
  try {
    return await request();
  } finally {
    await accountant.patch('/api/v1/auth/me', { locale: 'en' });
  }
}

const consistency = async () => (await accountant.get('/api/v1/accounting/consistency')).body;

describe('taxes', () => {
  it('gives the mission’s worked example for 2014: 215.00 → GST 10.75, QST 21.45, total 247.20', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2014-03-10' });
    const body = (await accountant.get(`/api/v1/invoices/${invoice.id}`)).body;
    expect(body).toMatchObject({
      subtotal: '215.00',
      taxes: [
        { tax: 'gst', rate: '0.050000', amount: '10.75' },
        { tax: 'qst', rate: '0.099750', amount: '21.45' },
      ],
      total: '247.20',
      balance: '247.20',
      status: 'posted',
    });
  });

  it('gives the mission’s worked example for 2007, QST on the price plus GST: 215.00 → GST 12.90, QST 17.09, total 244.99', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2007-06-15' });
    const body = (await accountant.get(`/api/v1/invoices/${invoice.id}`)).body;
    expect([body.taxes[0].amount, body.taxes[1].amount, body.total, body.number]).toEqual(['12.90', '17.09', '244.99', '2007-00001']);
  });

  it('rounds each tax once on the invoice, and charges none to an exempt customer (reason and number on the invoice)', async () => {
    const org = await makeOrganization(admin);
    const lines = Array.from({ length: 7 }, () => ({ unitPrice: '0.07' }));
    expect((await makeDraft(accountant, org.id, { issueDate: '2014-03-10', lines })).total).toBe('0.56'); // 0.49 + GST 0.02 + QST 0.05
    const exempt = await makeOrganization(admin);
    const refused = await accountant.put(`/api/v1/organizations/${exempt.id}/billing-profile`, { taxExempt: true });
    expect(refused.status).toBe(422);
    expect((await accountant.put(`/api/v1/organizations/${exempt.id}/billing-profile`, { taxExempt: true, exemptionReason: 'Bande indienne', exemptionNumber: '0123456789' })).status).toBe(200);
    const invoice = await makePostedInvoice(accountant, exempt.id, { issueDate: '2014-03-10' });
    const body = (await accountant.get(`/api/v1/invoices/${invoice.id}`)).body;
    expect([body.total, body.taxExemption]).toEqual(['215.00', { reason: 'Bande indienne', number: '0123456789' }]);
  });

  it('names a tax in the caller’s language when a rate already starts on that day', async () => {
    const rate = { tax: 'qst', effectiveFrom: '2013-01-01', rate: '0.09975', baseIncludesGst: false };
    const fr = await inFrench(() => accountant.post('/api/v1/tax-rates', rate));
    expect([fr.status, fr.body.error.code, fr.body.error.message]).toEqual([409, 'tax_rate_exists', 'Un taux de TVQ commence déjà le 2013-01-01.']);
    const en = await accountant.post('/api/v1/tax-rates', rate);
    expect(en.body.error.message).toBe('A QST rate already starts on 2013-01-01.');
  });
});

describe('posting', () => {
  it('numbers concurrent postings consecutively, with no gap', async () => {
    const org = await makeOrganization(admin);
    const drafts = [];
    for (let i = 0; i < 12; i++) drafts.push(await makeDraft(accountant, org.id, { issueDate: '2019-05-01' }));
    const posted = await Promise.all(drafts.map((draft) => accountant.post(`/api/v1/invoices/${draft.id}/post`, {})));
    expect(posted.map((response) => response.status)).toEqual(drafts.map(() => 200));
    expect(posted.map((response) => response.body.number).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `2019-${String(i + 1).padStart(5, '0')}`));
    // Posting again is a conflict, not a second number.
    const again = await accountant.post(`/api/v1/invoices/${drafts[0]!.id}/post`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'invoice_not_draft']);
  });

  it('freezes the invoice: the database refuses UPDATE or DELETE of a posted invoice, its lines and its journal lines', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2014-04-01' });
    const [row] = await api.db.query(`SELECT journal_entry_id FROM invoices WHERE id = $1`, [invoice.id]);
    const refused = [
      `UPDATE invoices SET total_cents = 1, subtotal_cents = 1, taxable_cents = 1, gst_cents = 0, qst_cents = 0 WHERE id = '${invoice.id}'`,
      `UPDATE invoices SET status = 'draft', number = NULL, series = NULL, sequence = NULL WHERE id = '${invoice.id}'`,
      `UPDATE invoices SET customer_name = 'Someone else' WHERE id = '${invoice.id}'`,
      `DELETE FROM invoices WHERE id = '${invoice.id}'`,
      `UPDATE invoice_lines SET description = 'changed' WHERE invoice_id = '${invoice.id}'`,
      `DELETE FROM invoice_lines WHERE invoice_id = '${invoice.id}'`,
      `INSERT INTO invoice_lines (id, invoice_id, position, kind, description, quantity, unit_price, amount_cents, tax_code, account_code) VALUES (gen_random_uuid(), '${invoice.id}', 9, 'manual', 'x', 1, 1, 100, 'taxable', '4200')`,
      `UPDATE journal_lines SET debit_cents = debit_cents + 1 WHERE entry_id = '${row.journal_entry_id}' AND debit_cents > 0`,
      `DELETE FROM journal_lines WHERE entry_id = '${row.journal_entry_id}'`,
      `UPDATE journal_entries SET description = 'x' WHERE id = '${row.journal_entry_id}'`,
      `DELETE FROM journal_entries WHERE id = '${row.journal_entry_id}'`,
      `TRUNCATE invoice_lines CASCADE`,
      `TRUNCATE journal_lines CASCADE`,
    ];
    for (const sql of refused) await expect(api.db.query(sql), sql).rejects.toThrow(/append-only|cannot be|posted|drafts only|cannot go/);
    expect((await accountant.get(`/api/v1/invoices/${invoice.id}`)).body).toMatchObject({ total: '247.20', status: 'posted', number: invoice.number });
    expect((await accountant.patch(`/api/v1/invoices/${invoice.id}`, { memo: 'x' })).body.error.code).toBe('invoice_not_draft');
    expect((await accountant.delete(`/api/v1/invoices/${invoice.id}`)).status).toBe(409);
    expect((await consistency()).ok).toBe(true);
  });

  it('lets drafts be edited and deleted', async () => {
    const org = await makeOrganization(admin);
    const draft = await makeDraft(accountant, org.id, { issueDate: '2014-04-01' });
    const edited = await accountant.patch(`/api/v1/invoices/${draft.id}`, { lines: [{ itemCode: 'setup' }, { description: 'Formation', quantity: '2.5', unitPrice: '60', taxCode: 'taxable' }] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.lines.map((l: { description: string; amount: string }) => [l.description, l.amount])).toEqual([
      ['Frais de mise en service', '50.00'],
      ['Formation', '150.00'],
    ]);
    expect(edited.body.subtotal).toBe('200.00');
    expect((await accountant.delete(`/api/v1/invoices/${draft.id}`)).status).toBe(204);
    expect((await accountant.get(`/api/v1/invoices/${draft.id}`)).status).toBe(404);
  });

  it('adds lines after a draft’s own, keeping those as they are, and works the totals out again; a posted invoice takes none', async () => {
    const org = await makeOrganization(admin);
    const draft = await makeDraft(accountant, org.id, { issueDate: '2014-04-01' });
    const before = (await accountant.get(`/api/v1/invoices/${draft.id}`)).body;
    const added = await accountant.post(`/api/v1/invoices/${draft.id}/lines`, { lines: [{ itemCode: 'setup' }, { description: 'Formation', quantity: '1', unitPrice: '10.00', taxCode: 'exempt' }] });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.lines[0]).toEqual(before.lines[0]);
    expect(added.body.lines.map((l: { description: string; amount: string }) => [l.description, l.amount])).toEqual([
      ['Hosting and support', '215.00'],
      ['Frais de mise en service', '50.00'],
      ['Formation', '10.00'],
    ]);
    // Taxes on the 265.00 taxable: GST 13.25, QST 26.43; the exempt line is not taxed.
    expect([added.body.subtotal, added.body.taxes.map((t: { amount: string }) => t.amount), added.body.total]).toEqual(['275.00', ['13.25', '26.43'], '314.68']);
    const bad = await accountant.post(`/api/v1/invoices/${draft.id}/lines`, { lines: [{ description: 'Atelier', quantity: '1', unitPrice: 'douze', taxCode: 'taxable' }] }, { headers: { 'accept-language': 'en' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'lines.0.unitPrice' })]);
    expect((await accountant.get(`/api/v1/invoices/${draft.id}`)).body.lines).toHaveLength(3);

    const posted = await makePostedInvoice(accountant, org.id, { issueDate: '2014-04-02' });
    const refused = await inFrench(() => accountant.post(`/api/v1/invoices/${posted.id}/lines`, { lines: [{ itemCode: 'setup' }] }));
    expect(refused.status).toBe(409);
    // The document's state in the caller's words, never the code.
    expect(refused.body.error.message).toBe('Seul un brouillon peut être modifié ou supprimé; ce document est comptabilisé. Corrigez-le par une note de crédit.');
    const inEnglish = await accountant.post(`/api/v1/invoices/${posted.id}/lines`, { lines: [{ itemCode: 'setup' }] });
    expect(inEnglish.body.error.message).toBe('Only a draft can be changed or deleted; this document is posted. Correct it with a credit note.');
    expect((await accountant.get(`/api/v1/invoices/${posted.id}`)).body.total).toBe(posted.total);
  });

  it('mails the invoice PDF to the organisation’s billing contact when it is posted', async () => {
    const { organization, email } = await makeHostingClient(api, admin, { locale: 'fr' });
    const invoice = await makePostedInvoice(accountant, organization.id, { issueDate: '2014-05-02' });
    const [mail] = await mailsTo(api, email);
    expect(mail!.subject).toBe(`Facture ${invoice.number} de Réseau Koumbit`);
    expect(mail!.text).toContain('247,20 $');
    // The attachment is rendered at delivery, from the posted invoice.
    const [row] = await api.db.query(`SELECT id FROM outbound_mail WHERE recipient = $1 AND subject LIKE 'Facture%'`, [email]);
    const queued = await api.app.get(MailService).compose(await api.app.get(TransactionalConnection).getRepository(OutboundMail).findOneByOrFail({ id: row.id }));
    expect(queued.attachments).toHaveLength(1);
    expect(queued.attachments[0]!.contentType).toBe('application/pdf');
    expect(pdfText(queued.attachments[0]!.content)).toContain(invoice.number);
    // A billing contact, when set, receives it instead.
    await accountant.put(`/api/v1/organizations/${organization.id}/billing-profile`, { billingEmail: 'compta@example.org' });
    const second = await makePostedInvoice(accountant, organization.id, { issueDate: '2014-05-03' });
    expect((await mailsTo(api, 'compta@example.org')).map((m) => m.subject)).toEqual([`Facture ${second.number} de Réseau Koumbit`]);
  });
});

describe('the catalogue', () => {
  it('adds an item with its first price; a bad code, account code or price is named by field in the caller’s language, and a decimal comma is refused, never read', async () => {
    const created = await accountant.post('/api/v1/billing-items', { code: 'atelier-catalogue', nameFr: 'Atelier du catalogue', nameEn: 'Catalogue workshop', kind: 'hourly', accountCode: '4100', unitPrice: '80.50', effectiveFrom: '2024-01-01' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ code: 'atelier-catalogue', kind: 'hourly', meter: null, taxCode: 'taxable', accountCode: '4100', active: true });
    expect(created.body.prices).toEqual([{ effectiveFrom: '2024-01-01', unitPrice: expect.stringMatching(/^80\.50*$/) }]);

    const bad = await inFrench(() => accountant.post('/api/v1/billing-items', { code: 'Atelier WP', nameFr: 'Atelier', nameEn: 'Workshop', kind: 'one_off', accountCode: '41', unitPrice: '12,50', effectiveFrom: '2024-01-01' }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { field: 'code', code: 'item_code_invalid', message: 'Un code d’article compte de 2 à 60 caractères : lettres minuscules sans accents, chiffres et traits d’union, en commençant par une lettre.' },
      { field: 'accountCode', code: 'account_code_invalid', message: 'Un numéro de compte compte de 4 à 6 chiffres.' },
      { field: 'unitPrice', code: 'decimal_invalid', message: 'Écrivez un nombre décimal avec un point, comme 12.50.' },
    ]);
    const inEnglish = await accountant.post('/api/v1/billing-items', { code: '-x', nameFr: 'Atelier', nameEn: 'Workshop', kind: 'one_off', accountCode: '4100', unitPrice: '12.50', effectiveFrom: '2024-01-01' });
    expect(inEnglish.body.error.details).toEqual([{ field: 'code', code: 'item_code_invalid', message: 'An item code is 2 to 60 characters: lowercase letters without accents, digits and hyphens, starting with a letter.' }]);
    expect((await accountant.get('/api/v1/billing-items')).body.data.map((item: { code: string }) => item.code)).not.toContain('Atelier WP');
  });
});

describe('the invoice PDF', () => {
  it('shows the co-op, its tax numbers, the lines, taxes and totals in French', async () => {
    const org = await makeOrganization(admin, { name: 'Centre communautaire', locale: 'fr' });
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2014-03-10' });
    const response = await accountant.get(`/api/v1/invoices/${invoice.id}/pdf`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const text = pdfText(response.rawBody);
    for (const expected of ['Réseau Koumbit', '1234 rue Saint-Denis', 'No TPS 123456789 RT0001', 'No TVQ 1234567890 TQ0001', 'FACTURE', invoice.number, 'Centre communautaire', 'Hosting and support']) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/Sous-total\s+215,00 \$/);
    expect(text).toMatch(/TPS \(5 %\)\s+10,75 \$/);
    expect(text).toMatch(/TVQ \(9,975 %\)\s+21,45 \$/);
    expect(text).toMatch(/Total\s+247,20 \$/);
    expect(text).toMatch(/Solde dû\s+247,20 \$/);
  });

  it('is in English for an English-speaking customer', async () => {
    const org = await makeOrganization(admin, { name: 'Community Radio', locale: 'en' });
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2007-06-15' });
    const text = pdfText((await accountant.get(`/api/v1/invoices/${invoice.id}/pdf`)).rawBody);
    expect(text).toContain('INVOICE');
    expect(text).toContain('GST no. 123456789 RT0001');
    expect(text).toMatch(/GST \(6 %\)\s+\$12\.90/);
    expect(text).toMatch(/QST \(7\.5 %\)\s+\$17\.09/);
    expect(text).toMatch(/Total\s+\$244\.99/);
  });
});

describe('credit notes and payments', () => {
  it('leave the right balances, keep receivables equal to open invoices, and keep an overpayment as the customer’s credit', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2014-06-02', lines: [{ unitPrice: '165.00' }, { description: 'Set-up', unitPrice: '50.00' }] });
    expect(invoice.total).toBe('247.20');

    const first = await accountant.post('/api/v1/payments', { organizationId: org.id, method: 'cheque', reference: 'chèque 101', amount: '100.00', receivedOn: '2014-06-10', allocations: [{ invoiceId: invoice.id, amount: '100.00' }] }, { headers: { 'idempotency-key': 'payment-101' } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // The same payment sent again (a retry) records nothing new.
    const retry = await accountant.post('/api/v1/payments', { organizationId: org.id, method: 'cheque', reference: 'chèque 101', amount: '100.00', receivedOn: '2014-06-10', allocations: [{ invoiceId: invoice.id, amount: '100.00' }] }, { headers: { 'idempotency-key': 'payment-101' } });
    expect(retry.body.id).toBe(first.body.id);
    expect((await accountant.get(`/api/v1/invoices/${invoice.id}`)).body).toMatchObject({ paid: '100.00', balance: '147.20', status: 'posted' });

    // Credit the set-up line: 50.00 + GST 2.50 + QST 4.99.
    const credit = await accountant.post(`/api/v1/invoices/${invoice.id}/credit-notes`, { issueDate: '2014-06-12', lines: [{ description: 'Set-up refunded', quantity: '1', unitPrice: '50.00', taxCode: 'taxable' }] });
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);
    expect(credit.body).toMatchObject({ kind: 'credit_note', status: 'posted', number: 'AV-2014-00001', total: '57.49', creditsInvoiceId: invoice.id });
    expect((await accountant.get(`/api/v1/invoices/${invoice.id}`)).body).toMatchObject({ credited: '57.49', balance: '89.71' });

    // Too much credit is refused.
    const tooMuch = await accountant.post(`/api/v1/invoices/${invoice.id}/credit-notes`, {});
    expect([tooMuch.status, tooMuch.body.error.code]).toEqual([409, 'credit_exceeds_balance']);

    // 100.00 more: 89.71 settles the invoice, 10.29 stays as credit.
    const second = await accountant.post('/api/v1/payments', { organizationId: org.id, method: 'transfer', reference: 'virement', amount: '100.00', receivedOn: '2014-06-20', allocations: [{ invoiceId: invoice.id, amount: '89.71' }] });
    expect(second.body).toMatchObject({ allocated: '89.71', unallocated: '10.29' });
    expect((await accountant.get(`/api/v1/invoices/${invoice.id}`)).body).toMatchObject({ balance: '0.00', status: 'paid' });
    const over = await accountant.post('/api/v1/payments', { organizationId: org.id, method: 'transfer', reference: 'x', amount: '1.00', receivedOn: '2014-06-20', allocations: [{ invoiceId: invoice.id, amount: '1.00' }] });
    expect([over.status, over.body.error.code]).toEqual([409, 'invoice_not_posted']);

    // The credit pays part of the next invoice.
    const next = await makePostedInvoice(accountant, org.id, { issueDate: '2014-07-02', lines: [{ unitPrice: '20.00' }] });
    expect((await accountant.post(`/api/v1/payments/${second.body.id}/allocations`, { allocations: [{ invoiceId: next.id, amount: '10.29' }], on: '2014-07-03' })).status).toBe(201);
    expect((await accountant.get(`/api/v1/invoices/${next.id}`)).body.balance).toBe('12.71');
    const exceeding = await accountant.post(`/api/v1/payments/${second.body.id}/allocations`, { allocations: [{ invoiceId: next.id, amount: '0.01' }] });
    expect(exceeding.body.error.code).toBe('allocation_exceeds_payment');

    // Receivables in the ledger equal what open invoices owe; the statement agrees.
    const checks = await consistency();
    expect(checks.ok, JSON.stringify(checks)).toBe(true);
    const statement = (await accountant.get(`/api/v1/organizations/${org.id}/statement`)).body;
    expect(statement.closingBalance).toBe('12.71');
    const ledger = (await accountant.get('/api/v1/accounting/reports/general-ledger?account=1100')).body;
    expect(ledger.lines.filter((l: { partyId: string }) => l.partyId === org.id).reduce((sum: number, l: { debit: string; credit: string }) => sum + Math.round(Number(l.debit) * 100) - Math.round(Number(l.credit) * 100), 0)).toBe(1271);
  });

  it('voids a posted invoice nothing was paid on, reversing its entry', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2014-08-01' });
    const voided = await accountant.post(`/api/v1/invoices/${invoice.id}/void`, { date: '2014-08-02' });
    expect(voided.body).toMatchObject({ status: 'void', balance: '0.00', number: invoice.number });
    expect((await accountant.post(`/api/v1/invoices/${invoice.id}/void`, {})).status).toBe(409);
    expect((await consistency()).ok).toBe(true);
  });

  it('matches an imported bank statement to open invoices, and records the payment once confirmed', async () => {
    const org = await makeOrganization(admin);
    const byNumber = await makePostedInvoice(accountant, org.id, { issueDate: '2014-09-01', lines: [{ unitPrice: '10.00' }] });
    const byAmount = await makePostedInvoice(accountant, org.id, { issueDate: '2014-09-01', lines: [{ unitPrice: '123.45' }] });
    const imported = await accountant.post('/api/v1/bank-statements', {
      csv: `date,amount,description\n2014-09-10,${byNumber.total},"Virement ${byNumber.number}"\n2014-09-11,${byAmount.total},Dépôt\n2014-09-12,-4.95,Frais bancaires\n`,
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const [first, second, fee] = imported.body.data;
    expect([first.status, first.matchReason, first.proposedInvoiceId]).toEqual(['proposed', 'number', byNumber.id]);
    expect([second.status, second.matchReason, second.proposedInvoiceId]).toEqual(['proposed', 'amount', byAmount.id]);
    expect(fee.status).toBe('unmatched');
    const confirmed = await accountant.post(`/api/v1/bank-statement-lines/${first.id}/confirm`, {});
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    expect((await accountant.get(`/api/v1/invoices/${byNumber.id}`)).body.status).toBe('paid');
    expect((await accountant.post(`/api/v1/bank-statement-lines/${first.id}/confirm`, {})).status).toBe(409);
    expect((await consistency()).ok).toBe(true);
  });
});

describe('what clients see', () => {
  it('their own posted invoices, never another organisation’s (404) nor drafts', async () => {
    const a = await makeHostingClient(api, admin);
    const b = await makeOrganization(admin);
    const mine = await makePostedInvoice(accountant, a.organization.id, { issueDate: '2014-10-01' });
    const draft = await makeDraft(accountant, a.organization.id, { issueDate: '2014-10-02' });
    const theirs = await makePostedInvoice(accountant, b.id, { issueDate: '2014-10-01' });
    expect((await a.caller.get(`/api/v1/invoices/${mine.id}`)).status).toBe(200);
    expect((await a.caller.get(`/api/v1/invoices/${mine.id}/pdf`)).status).toBe(200);
    for (const url of [`/api/v1/invoices/${theirs.id}`, `/api/v1/invoices/${theirs.id}/pdf`, `/api/v1/invoices/${draft.id}`]) {
      const response = await a.caller.get(url);
      expect([response.status, response.body.error?.code], url).toEqual([404, 'not_found']);
    }
    const list = (await a.caller.get('/api/v1/invoices')).body;
    expect(list.data.map((invoice: { id: string }) => invoice.id)).toEqual([mine.id]);
    expect((await a.caller.post('/api/v1/invoices', { organizationId: a.organization.id, lines: [{ description: 'x', quantity: '1', unitPrice: '0' }] })).status).toBe(403);
    expect((await a.caller.get('/api/v1/accounting/reports/trial-balance')).status).toBe(403);
    expect((await a.caller.get(`/api/v1/organizations/${a.organization.id}/statement`)).status).toBe(200);
    expect((await a.caller.get(`/api/v1/organizations/${b.id}/statement`)).status).toBe(404);
    // A member of the organisation reads the invoices too.
    const member = await makeClient(api, admin, a.organization.id, { role: 'member' });
    expect((await member.caller.get(`/api/v1/invoices/${mine.id}`)).status).toBe(200);
  });
});

describe('what accounting pulls', () => {
  it('filters invoices by period, status and customer, pages them, pulls changes since a moment, and exports CSV', async () => {
    const org = await makeOrganization(admin, { name: 'Pull, "CSV" & Co' });
    const first = await makePostedInvoice(accountant, org.id, { issueDate: '2015-02-03' });
    const second = await makePostedInvoice(accountant, org.id, { issueDate: '2015-02-04' });
    await makeDraft(accountant, org.id, { issueDate: '2015-02-05' });
    const page1 = (await accountant.get(`/api/v1/invoices?organizationId=${org.id}&period=2015-02&status=posted&limit=1`)).body;
    expect(page1.data.map((i: { id: string }) => i.id)).toEqual([first.id]);
    const page2 = (await accountant.get(`/api/v1/invoices?organizationId=${org.id}&period=2015-02&status=posted&limit=1&cursor=${page1.nextCursor}`)).body;
    expect([page2.data.map((i: { id: string }) => i.id), page2.nextCursor]).toEqual([[second.id], null]);
    const since = new Date().toISOString();
    await accountant.post('/api/v1/payments', { organizationId: org.id, method: 'cash', reference: 'r', amount: first.total, receivedOn: '2015-02-10', allocations: [{ invoiceId: first.id, amount: first.total }] });
    const changed = (await accountant.get(`/api/v1/invoices?organizationId=${org.id}&updatedSince=${encodeURIComponent(since)}`)).body;
    expect(changed.data.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[first.id, 'paid']]);
    const csv = await accountant.get(`/api/v1/invoices?organizationId=${org.id}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = (csv.body as string).trim().split('\r\n');
    expect(rows[0]).toBe('id,number,kind,status,organization_id,customer,issue_date,due_date,billing_period,subtotal,gst,qst,total,paid,credited,balance,credits_invoice_id,updated_at');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toContain(`${first.number},invoice,paid,${org.id},"Pull, ""CSV"" & Co",2015-02-03`);
    const lines = await accountant.get(`/api/v1/invoice-lines?organizationId=${org.id}&status=posted&format=csv`);
    expect((lines.body as string).trim().split('\r\n')[1]).toBe(`${second.id},${second.number},1,manual,Hosting and support,1.0000,215.0000,215.00,taxable,4200,,,,`);
  });
});

describe('the consistency check', () => {
  it('notices a posted invoice changed behind the database’s back (its trigger switched off by a superuser)', async () => {
    const org = await makeOrganization(admin);
    const invoice = await makePostedInvoice(accountant, org.id, { issueDate: '2016-02-02' });
    await api.db.query(`ALTER TABLE invoices DISABLE TRIGGER invoices_guard`);
    try {
      await api.db.query(`UPDATE invoices SET total_cents = total_cents - 100, qst_cents = qst_cents - 100 WHERE id = $1`, [invoice.id]);
      const broken = (await accountant.get('/api/v1/accounting/consistency')).body;
      expect(broken.ok).toBe(false);
      const failed = Object.fromEntries(broken.checks.map((check: { name: string; ok: boolean; problems: unknown[] }) => [check.name, check.ok ? [] : check.problems]));
      expect(failed.posted_documents_unchanged).toEqual([{ invoiceId: invoice.id, number: invoice.number }]);
      expect(failed.receivables_match_open_invoices).toEqual([{ organizationId: org.id, receivableCents: 24720, openInvoicesCents: 24620 }]);
      expect(failed.entries_balance).toEqual([]);
    } finally {
      await api.db.query(`UPDATE invoices SET total_cents = total_cents + 100, qst_cents = qst_cents + 100 WHERE id = $1`, [invoice.id]);
      await api.db.query(`ALTER TABLE invoices ENABLE TRIGGER invoices_guard`);
    }
    expect((await accountant.get('/api/v1/accounting/consistency')).body.ok).toBe(true);
  });
});
