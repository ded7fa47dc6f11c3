#!/usr/bin/env node
import { run } from './cli.js';

// `ruche`: the sysadmins' command line (see `ruche --help` and the README's "The `ruche` command").
// Ctrl-C stops at once (exit 130), except in commands that follow work (watch, --follow, a
// bar): there the first one ends the loop so it can print where things stand, a second stops.
const interrupt = new AbortController();
let graceful = false;
process.on('SIGINT', () => {
  if (graceful && !interrupt.signal.aborted) interrupt.abort();
  else process.exit(130);
});
process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  interrupt: interrupt.signal,
  catchInterrupts: () => {
    graceful = true;
  },
});
