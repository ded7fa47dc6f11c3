import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeRelocatedCluster } from '@ruche/infra';
import { freePort } from '../support/ports.js';

/**
 * A checkout where only root may enter (a clone in /root, mode 700), started as root: the
 * embedded PostgreSQL runs as the `postgres` user, which cannot enter it. The launcher must
 * still start, and say where it put the database.
 */
const root = path.resolve(import.meta.dirname, '../..');
let privateFolder: string;
let checkout: string;
let child: ChildProcess | null = null;
let output = '';

beforeAll(async () => {
  // The suite runs as root (it starts Docker and the test servers); so does this case.
  expect(process.getuid?.(), 'run as root').toBe(0);
  await mkdir(path.join(root, 'var/test'), { recursive: true });
  privateFolder = await mkdtemp(path.join(root, 'var/test/private-'));
  await chmod(privateFolder, 0o700);
  // A copy of the built checkout (hard links: seconds, not minutes), without its state.
  checkout = path.join(privateFolder, 'ruche');
  await mkdir(checkout);
  for (const entry of readdirSync(root)) {
    if (['var', '.cache', '.git'].includes(entry)) continue;
    const copied = spawnSync('cp', ['-al', '--', path.join(root, entry), checkout]);
    if (copied.status !== 0) throw new Error(`cp ${entry}: ${copied.stderr}`);
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await removeRelocatedCluster(path.join(checkout, 'var/postgres'));
  await rm(privateFolder, { recursive: true, force: true });
});

describe('a checkout in a folder the postgres user cannot enter', () => {
  /** Starts the launcher in the checkout with nothing set but its ports, and waits until it is ready. */
  async function launch(): Promise<void> {
    output = '';
    const port = await freePort();
    child = spawn(process.execPath, [path.join(checkout, 'infra/dist/run-all.js')], {
      cwd: checkout,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Nothing set but the ports (the run must not collide with others): data in ./var, as for a new user.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), RUCHE_EMBEDDED_PG_PORT: String(await freePort()) },
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((response) => response.status, () => 0);
      if (ready === 200) break;
      if (child.exitCode !== null) throw new Error(`the launcher stopped:\n${output}`);
      if (Date.now() > deadline) throw new Error(`not ready in 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function stop(): Promise<void> {
    child!.kill('SIGTERM');
    expect(await new Promise((resolve) => child!.once('exit', resolve))).toBe(0);
  }

  it('starts with no configuration, says where the database went, and gets ready', async () => {
    const postgres = spawnSync('id', ['-u', 'postgres']);
    if (postgres.status === 0) {
      // The premise: the server's user really cannot enter the folder.
      expect(spawnSync('test', ['-x', checkout], { uid: Number(postgres.stdout), gid: Number(postgres.stdout) }).status).not.toBe(0);
    }
    await launch();
    const location = readFileSync(path.join(checkout, 'var/postgres.location'), 'utf8').trim();
    expect(location).toMatch(/^\/var\/lib\/ruche\/cluster-[0-9a-f]{16}\/postgres$/);
    expect(existsSync(path.join(location, 'PG_VERSION'))).toBe(true);
    expect(output).toContain(`the embedded database lives in ${location}`);
    expect(output).toMatch(/Password \(shown once\)/);
    await stop();
  });

  it('starts afresh in a new clone at the same path, the old clone’s database kept aside', async () => {
    const location = readFileSync(path.join(checkout, 'var/postgres.location'), 'utf8').trim();
    // The clone is removed and made again where it was: its ./var goes, the relocated cluster stays.
    await rm(path.join(checkout, 'var'), { recursive: true, force: true });
    await launch();
    expect(readFileSync(path.join(checkout, 'var/postgres.location'), 'utf8').trim()).toBe(location);
    expect(output).toMatch(/Password \(shown once\)/);
    expect(output).toContain('has no password file');
    const kept = readdirSync(path.dirname(location)).filter((name) => name.startsWith('postgres.without-password-'));
    expect(kept).toHaveLength(1);
    expect(existsSync(path.join(path.dirname(location), kept[0]!, 'PG_VERSION'))).toBe(true);
    await stop();
  });
});
