import { centsToDecimal } from '../shared/money.js';

export interface LedgerAccount {
  code: string;
  name: string;
  /** The top-level name for its type, in the export's language (Assets, Actifs…). */
  typeName: string;
}

export interface LedgerEntry {
  number: number;
  date: string;
  description: string;
  source: string;
  lines: Array<{ account: LedgerAccount; amountCents: number; memo: string | null }>;
}

/** One line of text with nothing a journal reader would take for syntax (comments, tabs, line breaks). */
function flat(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** `Revenue:4100 Hosting revenue`: no colon inside a part, never two spaces (they end a name). */
export function ledgerAccountName(account: LedgerAccount): string {
  const part = (text: string) => flat(text).replace(/[:;]/g, '-');
  return `${part(account.typeName)}:${part(`${account.code} ${account.name}`)}`;
}

/**
 * The journal as plain-text double-entry, in the format ledger and hledger read: one
 * transaction per entry, amounts in CAD with two decimals, debits positive, credits negative.
 */
export function formatLedgerJournal(entries: Iterable<LedgerEntry>): string {
  const out: string[] = ['; Ruche journal export', 'commodity 1,000.00 CAD', ''];
  for (const entry of entries) {
    out.push(`${entry.date} * (${entry.number}) ${flat(entry.description).replace(/^[;#*%|]/, '')}`);
    out.push(`    ; source: ${flat(entry.source)}`);
    const names = entry.lines.map((line) => ledgerAccountName(line.account));
    const width = Math.max(...names.map((name) => name.length)) + 4;
    entry.lines.forEach((line, index) => {
      const amount = `${centsToDecimal(line.amountCents)} CAD`;
      const memo = line.memo ? `  ; ${flat(line.memo)}` : '';
      out.push(`    ${names[index]!.padEnd(width)}${amount.padStart(16)}${memo}`);
    });
    out.push('');
  }
  return out.join('\n');
}
