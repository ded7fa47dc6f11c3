import type { StateResult } from '../driver.js';
import { withoutSecrets } from './sql-identifiers.js';

/**
 * Many resources' statements in one run of the engine's own client (one round trip), each
 * resource's block on its own: a block stops at its first statement the engine refuses, and
 * the next block runs anyway. What each block came to is read back from the client's output:
 * done, refused with the engine's words, or nothing (the client stopped before it).
 */
export interface StatementBatch {
  /** The script, for the client's standard input. */
  script: string;
  /** What each block came to, from the client's output. */
  read(output: { stdout: string; stderr: string }): Array<StateResult | null>;
}

function oneLine(statement: string): string {
  if (/[\r\n]/.test(statement)) throw new Error('a statement must fit on one line');
  return statement;
}

const OK_LINE = /^ruche-ok (\d+)$/;

/**
 * MariaDB: each block is an anonymous compound statement (`BEGIN NOT ATOMIC … END`), which
 * stops at its first error; `--force` lets the client go on with the next block. A refused
 * block's error names the line it starts on. The session keeps these statements out of the
 * general and slow logs (they carry password hashes), and gives up on a lock after a minute.
 */
export function mariadbBatch(blocks: ReadonlyArray<readonly string[]>): StatementBatch {
  const header = ['SET SESSION sql_log_off = ON, SESSION long_query_time = 31536000, SESSION lock_wait_timeout = 60;', 'DELIMITER $$'];
  const lines = blocks.map((statements, index) => `BEGIN NOT ATOMIC ${statements.map((statement) => `${oneLine(statement)}; `).join('')}SELECT 'ruche-ok ${index}'; END$$`);
  const firstLine = header.length + 1;
  return {
    script: `${[...header, ...lines, 'DELIMITER ;'].join('\n')}\n`,
    read({ stdout, stderr }) {
      const results: Array<StateResult | null> = blocks.map(() => null);
      for (const line of stdout.split('\n')) {
        const ok = OK_LINE.exec(line.trim());
        if (ok) results[Number(ok[1])] = { ok: true };
      }
      // The client also echoes a refused statement to standard error: only ERROR lines are read.
      for (const line of stderr.split('\n')) {
        const error = /^ERROR (\d+) \(\w+\) at line (\d+): (.*)$/.exec(line);
        if (!error) continue;
        const index = Number(error[2]) - firstLine;
        // Client errors (2000–2999: the server went away) say nothing of the block.
        if (index < 0 || index >= blocks.length || Number(error[1]) >= 2000) continue;
        results[index] = { ok: false, message: withoutSecrets(error[3]!.trim()) };
      }
      return results;
    },
  };
}

/**
 * PostgreSQL: psql runs each block's statements one after the other while none failed (`\if`
 * on its ERROR variable) and says how the block ended, with the engine's last error message.
 * Meta-commands (`\connect`) are lines of their own; psql stops the whole script if one fails.
 */
export function postgresBatch(blocks: ReadonlyArray<readonly string[]>): StatementBatch {
  const lines = ['\\set VERBOSITY terse', '\\set SHOW_CONTEXT never'];
  blocks.forEach((statements, index) => {
    lines.push('\\set ok true');
    statements.forEach((statement, position) => {
      const meta = statement.startsWith('\\');
      const line = meta ? oneLine(statement) : `${oneLine(statement)};`;
      // The first of a block always runs: `ok` was just set.
      if (position > 0) lines.push('\\if :ok');
      lines.push(line);
      if (!meta) lines.push('\\if :ERROR \\set ok false \\endif');
      if (position > 0) lines.push('\\endif');
    });
    lines.push(`\\if :ok \\echo ruche-ok ${index} \\else \\echo ruche-failed ${index} :LAST_ERROR_MESSAGE \\endif`);
  });
  return {
    script: `${lines.join('\n')}\n`,
    read({ stdout }) {
      const results: Array<StateResult | null> = blocks.map(() => null);
      for (const line of stdout.split('\n')) {
        const ok = OK_LINE.exec(line.trim());
        if (ok) results[Number(ok[1])] = { ok: true };
        const failed = /^ruche-failed (\d+) ?(.*)$/.exec(line);
        if (failed) results[Number(failed[1])] = { ok: false, message: withoutSecrets(failed[2]!.trim() || 'refused by PostgreSQL') };
      }
      return results;
    },
  };
}
