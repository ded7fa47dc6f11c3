import { describe, expect, it } from 'vitest';
import { formatLedgerJournal, ledgerAccountName } from './ledger-format.js';

const receivable = { code: '1100', name: 'Accounts receivable', typeName: 'Assets' };
const revenue = { code: '4100', name: 'Hosting: revenue', typeName: 'Revenue' };

describe('ledger journal format', () => {
  it('names accounts by type, code and name, with no colon or double space inside a part', () => {
    expect(ledgerAccountName(revenue)).toBe('Revenue:4100 Hosting- revenue');
    expect(ledgerAccountName({ code: '2310', name: 'GST  payable\n', typeName: 'Liabilities' })).toBe('Liabilities:2310 GST payable');
  });

  it('writes one transaction per entry, debits positive and credits negative, in CAD', () => {
    const text = formatLedgerJournal([
      {
        number: 7,
        date: '2026-11-30',
        description: 'Invoice 2026-00001\nwith a break',
        source: 'invoice:abc',
        lines: [
          { account: receivable, amountCents: 24720, memo: null },
          { account: revenue, amountCents: -24720, memo: 'hosting; November' },
        ],
      },
    ]);
    expect(text).toContain('2026-11-30 * (7) Invoice 2026-00001 with a break\n    ; source: invoice:abc\n');
    expect(text).toMatch(/ {4}Assets:1100 Accounts receivable +247\.20 CAD\n/);
    expect(text).toMatch(/ {4}Revenue:4100 Hosting- revenue +-247\.20 CAD {2}; hosting; November\n/);
  });
});
