import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('gives a shell exactly the arguments, whatever they contain', () => {
    const nasty = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '"quoted"', '; rm -rf /', '\\back', 'new\nline', '*', '', '--flag'];
    const printed = execFileSync('sh', ['-c', `printf '%s\\0' ${shellQuote(nasty)}`]).toString();
    expect(printed.split('\0').slice(0, -1)).toEqual(nasty);
  });

  it('leaves plain words alone', () => {
    expect(shellQuote(['nginx', '-t', '-c', '/etc/nginx/ruche/test.conf'])).toBe('nginx -t -c /etc/nginx/ruche/test.conf');
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote(['a\0b'])).toThrow();
  });
});
