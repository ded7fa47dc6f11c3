// `npm run bench [-- name…]`: install, build, then run the benchmarks under test/bench.
import path from 'node:path';
import { build, installDependencies, root, run } from './bootstrap.mjs';

installDependencies();
build();
run(process.execPath, [path.join(root, 'test/bench/run.mjs'), ...process.argv.slice(2)]);
