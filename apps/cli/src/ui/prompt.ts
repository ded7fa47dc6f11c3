import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { CliError, EXIT } from '../errors.js';

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * One line typed at the terminal. `hidden`: nothing typed is echoed (a password, a code), the
 * way `ssh` and `sudo` ask. Ctrl-C stops the command (exit 130).
 */
export async function ask(terminal: Terminal, question: string, options: { hidden?: boolean; initial?: string } = {}): Promise<string> {
  let muted = false;
  const echo = new Writable({
    write(chunk, encoding, done) {
      if (!muted) terminal.output.write(chunk, encoding);
      done();
    },
  });
  const lines = createInterface({ input: terminal.input, output: echo, terminal: true });
  const interrupted = new AbortController();
  lines.on('SIGINT', () => interrupted.abort());
  try {
    const prompt = options.initial ? `${question} [${options.initial}]: ` : `${question}: `;
    terminal.output.write(prompt);
    muted = options.hidden === true;
    const answer = await lines.question('', { signal: interrupted.signal });
    if (options.hidden) terminal.output.write('\n');
    return answer.trim() || options.initial || '';
  } catch (error) {
    if (interrupted.signal.aborted) {
      terminal.output.write('\n');
      throw new CliError('', EXIT.interrupted, 'interrupted');
    }
    throw error;
  } finally {
    lines.close();
  }
}

/** Everything on standard input, less its final line break (`--password-stdin`). */
export async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
