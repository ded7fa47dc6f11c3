import { describe, expect, it } from 'vitest';
import { parseBankStatement, proposeMatch, StatementError } from './bank-statement.js';

describe('bank statements', () => {
  it('read date, amount and description, with a header, quotes, and decimal commas', () => {
    expect(parseBankStatement('date,amount,description\n2026-12-03,247.20,"Virement, facture 2026-00001"\n2026-12-04;12,5;Dépôt\n\n2026-12-05,-10,Frais')).toEqual([
      { line: 2, date: '2026-12-03', amountCents: 24720, description: 'Virement, facture 2026-00001' },
      { line: 3, date: '2026-12-04', amountCents: 1250, description: 'Dépôt' },
      { line: 5, date: '2026-12-05', amountCents: -1000, description: 'Frais' },
    ]);
  });

  it('say which line they cannot read', () => {
    expect(() => parseBankStatement('2026-12-03,abc,x')).toThrow(StatementError);
    expect(() => parseBankStatement('03/12/2026,1.00,x')).toThrow('line 1');
  });

  it('propose the invoice quoted by number, else the only one owing that amount', () => {
    const open = [
      { id: 'a', number: '2026-00001', balanceCents: 24720 },
      { id: 'b', number: '2026-00012', balanceCents: 5000 },
      { id: 'c', number: '2026-00013', balanceCents: 5000 },
    ];
    expect(proposeMatch({ amountCents: 100, description: 'Paiement 2026-00012 merci' }, open)).toEqual({ invoiceId: 'b', reason: 'number' });
    expect(proposeMatch({ amountCents: 24720, description: 'virement' }, open)).toEqual({ invoiceId: 'a', reason: 'amount' });
    // Two invoices owe 50.00: no guess.
    expect(proposeMatch({ amountCents: 5000, description: 'virement' }, open)).toBeNull();
    // 2026-000123 is not 2026-00012.
    expect(proposeMatch({ amountCents: 1, description: 'ref 2026-000123' }, open)).toBeNull();
    expect(proposeMatch({ amountCents: -24720, description: '2026-00001' }, open)).toBeNull();
  });
});
