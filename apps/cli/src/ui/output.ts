import { renderDetails, renderTable, type Cell, type Column } from './text.js';

/**
 * Where a command writes: results on standard output (a table, or one JSON document with
 * `--json`), everything else (warnings, progress) on standard error, so a pipe gets only data.
 */
export class Output {
  constructor(
    readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    readonly json: boolean,
    readonly color: boolean,
  ) {}

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** One JSON document: what `--json` prints for a command that answers once. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON object on one line: what streams (`watch`, `--follow`) print. */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  table(columns: readonly Column[], rows: readonly (readonly Cell[])[]): void {
    this.line(renderTable(columns, rows, { color: this.color, terminalWidth: this.stdout.isTTY ? this.stdout.columns : undefined }));
  }

  details(pairs: ReadonlyArray<readonly [string, Cell]>): void {
    this.line(renderDetails(pairs, { color: this.color }));
  }

  warn(text: string): void {
    this.stderr.write(`ruche: ${text}\n`);
  }
}

/** A timestamp from the API in local time, to the second, sortable: `2026-11-30 18:12:05`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** `850 ms`, `1.2 s`, `3 min 05 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}

export const orDash = (value: string | number | null | undefined): string => (value === null || value === undefined || value === '' ? '—' : String(value));
