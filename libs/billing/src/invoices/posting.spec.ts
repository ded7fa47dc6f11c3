import { describe, expect, it } from 'vitest';
import { documentJournalLines } from './posting.js';

describe('the journal entry of a posted document', () => {
  const invoice = { kind: 'invoice' as const, organizationId: 'org', totalCents: 24720, gstCents: 1075, qstCents: 2145 };
  const lines = [
    { accountCode: '4100', amountCents: 20000 },
    { accountCode: '4200', amountCents: 1000 },
    { accountCode: '4100', amountCents: 500 },
  ];

  it('debits the customer’s receivable and credits revenue per account and each tax: it balances', () => {
    const entry = documentJournalLines(invoice, lines);
    expect(entry).toEqual([
      { account: '1100', debitCents: 24720, partyId: 'org' },
      { account: '4100', creditCents: 20500 },
      { account: '4200', creditCents: 1000 },
      { account: '2310', creditCents: 1075 },
      { account: '2320', creditCents: 2145 },
    ]);
    const debits = entry.reduce((sum, line) => sum + (line.debitCents ?? 0), 0);
    const credits = entry.reduce((sum, line) => sum + (line.creditCents ?? 0), 0);
    expect(debits).toBe(credits);
  });

  it('runs the other way for a credit note', () => {
    const entry = documentJournalLines({ ...invoice, kind: 'credit_note' }, lines);
    expect(entry[0]).toEqual({ account: '1100', creditCents: 24720, partyId: 'org' });
    expect(entry.slice(1).every((line) => line.debitCents! > 0)).toBe(true);
  });
});
