// `npm test`: everything the suite needs (npm packages, a Docker engine, the server image,
// Debian's Chromium and document tools), the build (API and panel), the type check and every
// vitest project. Whatever it starts, it stops.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build, installDependencies, root, run, step } from './bootstrap.mjs';

installDependencies();
build();
// (The panel was type-checked by its own build, just above.)
step('Type-checking tests and sources together');
run('npx', ['tsc', '-p', 'tsconfig.check.json']);

// Debian tools the billing and accounting tests read Ruche's documents with, installed when missing.
const missing = [
  ['pdftotext', 'poppler-utils'],
  ['hledger', 'hledger'],
].filter(([command]) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status !== 0);
if (missing.length > 0) {
  const packages = missing.map(([, debianPackage]) => debianPackage);
  step(`Installing ${packages.join(', ')} (Debian)`);
  const apt = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'inherit', 'inherit'] };
  run('apt-get', ['update', '-qq'], apt);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], apt);
}

const env = { ...process.env };
const ensureDocker = path.join(root, 'infra/fleet/ensure-docker.sh');
const privateEngine = path.join(root, 'var/docker/dockerd.pid');
const engineWasRunning = existsSync(privateEngine);
if (existsSync(ensureDocker)) {
  step('Making sure a Docker engine runs (installs docker.io and starts a private dockerd if needed)');
  const engine = run('bash', [ensureDocker], { stdio: ['ignore', 'pipe', 'inherit'] });
  const socket = engine.stdout.toString().trim().split('\n').pop();
  if (socket) env.DOCKER_HOST = socket;
  step('Building the Debian server image (cached by recipe hash)');
  run('bash', [path.join(root, 'infra/fleet/build-image.sh')], { env });
}

// The panel's browser tests drive Debian's Chromium (Playwright cannot download its own here).
const args = process.argv.slice(2);
const runsPanel = !args.includes('--project') || args.some((arg, i) => arg === 'panel' && args[i - 1] === '--project');
if (runsPanel && !process.env.RUCHE_CHROMIUM && !existsSync('/usr/bin/chromium')) {
  step("Installing Debian's chromium for the panel's browser tests");
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] });
}

step('Running the test suite');
const tests = run('npx', ['vitest', 'run', ...args], { env, allowFailure: true });

if (existsSync(ensureDocker) && !engineWasRunning && existsSync(privateEngine)) {
  step('Stopping the private Docker engine');
  run('bash', [path.join(root, 'infra/fleet/stop-docker.sh')], { allowFailure: true });
}
process.exit(tests.status ?? 1);
