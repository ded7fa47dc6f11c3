// Shared by `npm start` and `npm test`: install npm dependencies when needed, then build.
// Plain Node with no dependencies, so it runs on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function step(title) {
  process.stderr.write(`\n▸ ${title}\n`);
}

/** Runs a program with argv (never a shell string); stops everything if it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0 && !options.allowFailure) {
    process.stderr.write(`\n✗ ${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n`);
    process.exit(result.status ?? 1);
  }
  return result;
}

export function installDependencies() {
  const marker = path.join(root, 'node_modules/.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('Installing npm dependencies');
  run('npm', existsSync(path.join(root, 'node_modules')) ? ['install', '--no-audit', '--no-fund'] : ['ci', '--no-audit', '--no-fund']);
}

export function build() {
  step('Building (tsc -b)');
  run('npx', ['tsc', '-b']);
  // The panel's and the CLI's typed clients are generated from the API just built: a changed
  // endpoint fails here, not in front of a user.
  step('Generating the API clients\' types from the OpenAPI document');
  run('node', ['infra/scripts/generate-api-types.mjs']);
  step('Building the ruche command (tsc -b apps/cli)');
  run('npm', ['run', 'compile', '--silent', '-w', '@ruche/cli']);
  step('Building the panel (type check, Vite)');
  run('npm', ['run', 'bundle', '--silent', '-w', '@ruche/panel']);
}
