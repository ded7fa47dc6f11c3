/**
 * An invoice number from the configured format: `{year}` is the posting year, `{seq:N}` the
 * sequence zero-padded to N digits (`{year}-{seq:5}` → `2026-00001`).
 */
export function formatDocumentNumber(format: string, year: number, sequence: number): string {
  return format.replace('{year}', String(year)).replace(/\{seq(?::([1-9]))?\}/, (_match, width: string | undefined) => String(sequence).padStart(Number(width ?? 1), '0'));
}

/** Each kind of document numbers gaplessly per year: `invoice:2026`, `credit_note:2026`. */
export function seriesOf(kind: 'invoice' | 'credit_note', postingDate: string): string {
  return `${kind}:${postingDate.slice(0, 4)}`;
}
