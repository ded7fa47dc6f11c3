/** A line of a bank statement as the bank exports it: date, amount, description. */
export interface StatementLine {
  line: number;
  date: string;
  amountCents: number;
  description: string;
}

export class StatementError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** Splits one CSV record (commas or semicolons, double quotes). */
function fields(record: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const char = record[i]!;
    if (quoted) {
      if (char === '"' && record[i + 1] === '"') {
        current += '"';
        i++;
      } else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  out.push(current.trim());
  return out;
}

/**
 * Reads a statement: `date,amount,description` per line (a header line is skipped), dates as
 * YYYY-MM-DD, amounts with a dot or a decimal comma (then fields are separated by semicolons).
 */
export function parseBankStatement(text: string): StatementLine[] {
  const records = text.split(/\r?\n/).map((record, index) => ({ record, line: index + 1 })).filter(({ record }) => record.trim() !== '');
  const out: StatementLine[] = [];
  for (const { record, line } of records) {
    const separator = record.includes(';') ? ';' : ',';
    const [date = '', amount = '', ...rest] = fields(record, separator);
    if (out.length === 0 && !/^\d{4}-\d{2}-\d{2}$/.test(date) && /date/i.test(date)) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new StatementError(line, `date "${date}"`);
    const normalized = amount.replace(/\s/g, '').replace(/\$/g, '').replace(',', '.');
    const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(normalized);
    if (!match) throw new StatementError(line, `amount "${amount}"`);
    const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
    out.push({ line, date, amountCents: match[1] ? -cents : cents, description: rest.join(separator).slice(0, 500) });
  }
  return out;
}

export interface OpenInvoice {
  id: string;
  number: string;
  balanceCents: number;
}

/** The open invoice a deposit most likely pays: one whose number the description quotes, else the only one owing exactly that amount. */
export function proposeMatch(line: Pick<StatementLine, 'amountCents' | 'description'>, open: readonly OpenInvoice[]): { invoiceId: string; reason: 'number' | 'amount' } | null {
  if (line.amountCents <= 0) return null;
  const quoted = open.filter((invoice) => new RegExp(`(^|[^0-9A-Za-z])${invoice.number.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^0-9A-Za-z])`).test(line.description));
  if (quoted.length === 1) return { invoiceId: quoted[0]!.id, reason: 'number' };
  const same = open.filter((invoice) => invoice.balanceCents === line.amountCents);
  if (same.length === 1) return { invoiceId: same[0]!.id, reason: 'amount' };
  return null;
}
