// `npm start`: install, build, then run API, worker and panel on the embedded database.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build, installDependencies, root } from './bootstrap.mjs';

installDependencies();
build();
const child = spawn(process.execPath, [path.join(root, 'infra/dist/run-all.js')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
