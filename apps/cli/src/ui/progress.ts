import cliProgress from 'cli-progress';
import type { I18n } from '../i18n/i18n.js';
import type { Output } from './output.js';

/**
 * Long work (a watched queue; later, an import or a move) shown as a bar with counts and a
 * rate on a terminal, and as plain lines otherwise. The bar goes to standard error, so
 * standard output stays the command's result.
 */
export interface Progress {
  /** `done` of `total`, with a short note after the rate (what runs now, what failed). */
  update(done: number, total: number, note?: string): void;
  /** A line above the bar (or a plain line when there is no bar). */
  log(line: string): void;
  stop(): void;
}

export function createProgress(out: Output, i18n: I18n, label: string): Progress {
  const startedAt = Date.now();
  const rate = (done: number) => {
    const seconds = (Date.now() - startedAt) / 1000;
    return i18n.t('progress.rate', { rate: i18n.number(seconds > 0 ? done / seconds : 0, { maximumFractionDigits: 1 }) });
  };
  if (out.json || !out.stderr.isTTY) {
    return {
      update: () => undefined,
      log: (line) => (out.json ? undefined : out.line(line)),
      stop: () => undefined,
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream: out.stderr as NodeJS.WriteStream,
      format: `${label} {bar} {value}/{total} · {rate} · {duration_formatted}{note}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      // Redraw while nothing changes too, so the elapsed time and rate stay true.
      etaBuffer: 20,
      fps: 5,
      forceRedraw: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(0, 0, { rate: rate(0), note: '' });
  return {
    update(done, total, note) {
      bar.setTotal(Math.max(total, done));
      bar.update(done, { rate: rate(done), note: note ? ` · ${note}` : '' });
    },
    log(line) {
      // Above the bar when both share the terminal; into the pipe when standard output is one.
      if (out.stdout.isTTY) bars.log(`${line}\n`);
      else out.line(line);
    },
    stop() {
      bars.stop();
    },
  };
}
