import stringWidth from 'string-width';

export type Style = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';
/** A table cell: text from the API (cleaned before it is shown) and how to colour it. */
export type Cell = string | { text: string; style?: Style | undefined };

const segmenter = new Intl.Segmenter();

/**
 * Text from the API or a server (a checker's output, a name) shown on a terminal: control
 * characters (escape sequences, new lines) become spaces, so nothing a server says can move
 * the cursor or recolour the screen.
 */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Columns a string takes on a terminal (wide CJK characters two, combining marks and emoji sequences as drawn). */
export const width = (text: string): number => stringWidth(text);

/** At most `max` columns, an ellipsis standing for what was cut; whole graphemes only. */
export function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = width(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

export function pad(text: string, columns: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, columns - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** SGR codes (on, off). Whether to colour at all is decided once (a terminal, no NO_COLOR, no --json). */
const SGR: Record<Style, [number, number]> = { green: [32, 39], red: [31, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] };

export function paint(text: string, style: Style | undefined, color: boolean): string {
  if (!color || !style || !text) return text;
  const [on, off] = SGR[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Never wider than this. */
  max?: number;
  /** Narrowed first when the table is wider than the terminal. */
  shrink?: boolean;
}

/**
 * A plain table, as `ps` or `kubectl get` print: a header line, columns two spaces apart,
 * widths measured in terminal columns, nothing after the last cell of a line.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], options: { color: boolean; terminalWidth?: number | undefined }): string {
  const texts = rows.map((row) => columns.map((column, i) => {
    const cell = row[i] ?? '';
    const text = clean(typeof cell === 'string' ? cell : cell.text);
    return column.max ? truncate(text, column.max) : text;
  }));
  const widths = columns.map((column, i) => Math.max(width(column.header), ...texts.map((row) => width(row[i]!))));
  if (options.terminalWidth) fitColumns(columns, widths, options.terminalWidth);
  const line = (cells: string[], styles: Array<Style | undefined>) =>
    cells
      .map((text, i) => {
        const fitted = truncate(text, widths[i]!);
        const last = i === cells.length - 1;
        const padded = last && columns[i]!.align !== 'right' ? fitted : pad(fitted, widths[i]!, columns[i]!.align);
        return paint(padded, styles[i], options.color);
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.header), columns.map(() => 'bold' as const));
  const body = texts.map((cells, r) => line(cells, rows[r]!.map((cell) => (typeof cell === 'string' ? undefined : cell.style))));
  return [header, ...body].join('\n');
}

/** Narrows the shrinkable columns, widest first, until the table fits (never under 12 columns each). */
function fitColumns(columns: readonly Column[], widths: number[], terminalWidth: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  while (total() > terminalWidth) {
    const candidates = columns.map((column, i) => ({ i, w: widths[i]! })).filter(({ i, w }) => columns[i]!.shrink && w > 12);
    if (candidates.length === 0) return;
    const widest = candidates.reduce((a, b) => (b.w > a.w ? b : a));
    widths[widest.i] = Math.max(12, widest.w - (total() - terminalWidth));
  }
}

/** Label and value lines, labels aligned (one thing shown in full). */
export function renderDetails(pairs: ReadonlyArray<readonly [string, Cell]>, options: { color: boolean }): string {
  const labelWidth = Math.max(...pairs.map(([label]) => width(label)));
  return pairs
    .map(([label, cell]) => {
      const text = clean(typeof cell === 'string' ? cell : cell.text);
      return `${paint(pad(`${label}`, labelWidth), 'bold', options.color)}  ${paint(text, typeof cell === 'string' ? undefined : cell.style, options.color)}`.trimEnd();
    })
    .join('\n');
}
