// `npm run bench [-- name…]`: runs test/bench/<name>.bench.mjs (all of them by default), one after another.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((file) => file.endsWith('.bench.mjs')).map((file) => file.replace('.bench.mjs', ''));
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`No benchmark "${name}". Known: ${all.join(', ')}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, [path.join(here, `${name}.bench.mjs`)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
