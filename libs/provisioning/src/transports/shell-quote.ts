/**
 * SSH runs one command line through the remote user's shell. Every argument is single-quoted
 * (a quote inside becomes '\''), so the shell sees exactly the argv Ruche built: nothing in a
 * value is ever interpreted.
 */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((arg) => {
      if (arg.includes('\0')) throw new Error('An argument cannot contain a NUL byte');
      return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}
