import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Server } from '@ruche/hosting';
import { CommandConnection, type CommandResult } from './connection.js';

/** The release scripts run by this machine's own shell, on a folder: what a server's sh does with them. */
class ShellConnection extends CommandConnection {
  async exec(argv: string[], input: Buffer | null): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? undefined);
    });
  }

  async close(): Promise<void> {}
}

let dir: string;
let connection: ShellConnection;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ruche-release-'));
  connection = new ShellConnection({ name: 'here', address: '127.0.0.1' } as Server);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const eventually = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
};

describe('a release on a server', () => {
  it('is staged as hard links of the live tree (the link followed, nothing inside it), with the new files and without the removed ones', async () => {
    const releases = path.join(dir, 'releases');
    const first = path.join(releases, '20261201000000000-aaaaaaaa');
    await mkdir(path.join(first, 'sites'), { recursive: true });
    await writeFile(path.join(first, 'sites/a.conf'), 'a');
    await writeFile(path.join(first, 'sites/b.conf'), 'b');
    await symlink('/etc', path.join(first, 'inner-link'));
    await symlink(first, path.join(dir, 'live'));

    const next = path.join(releases, '20261201000000001-bbbbbbbb');
    const verdict = await connection.stage({
      source: path.join(dir, 'live'),
      release: next,
      files: new Map([['sites/c.conf', 'c']]),
      removed: ['sites/b.conf'],
      check: ['sh', '-c', 'ls "$1/sites"', 'check', next],
    });
    expect(verdict?.stdout.split('\n').filter(Boolean)).toEqual(['a.conf', 'c.conf']);
    expect((await stat(path.join(next, 'sites/a.conf'))).ino).toBe((await stat(path.join(first, 'sites/a.conf'))).ino);
    expect(await readlink(path.join(next, 'inner-link'))).toBe('/etc');
    expect(await readFile(path.join(first, 'sites/b.conf'), 'utf8')).toBe('b');
  });

  it('goes live by swapping the link, then keeps the newest releases and removes the older ones, touching nothing else in the folder', async () => {
    const releases = path.join(dir, 'releases');
    const names = ['20261130235959000-00000001', '20261201000000000-0000000a', '20261201000000001-0000000b', '20261201000000002-0000000c'];
    const strangers = ['notes', '2026-12-01', '20261201000000003-NOTHEX00', '123-abcdef12', '.hidden'];
    for (const name of [...names, ...strangers]) await mkdir(path.join(releases, name, 'sites'), { recursive: true });
    await symlink(path.join(releases, names[2]!), path.join(dir, 'live'));
    const release = path.join(releases, '20261201000000003-0000000d');
    await mkdir(release);

    await connection.activate({ link: path.join(dir, 'live'), release, activation: { argv: ['sh', '-c', 'cat > "$1"', 'activation', path.join(dir, 'ran')], input: 'reloaded' }, releasesDir: releases, keep: 3 });

    expect(await readlink(path.join(dir, 'live'))).toBe(release);
    expect(await readFile(path.join(dir, 'ran'), 'utf8')).toBe('reloaded');
    // The two oldest go (moved aside at once, then removed in the background).
    await eventually(async () => (await readdir(releases)).every((name) => !name.startsWith('.trash-')), 'the old releases to be removed');
    expect((await readdir(releases)).sort()).toEqual([...names.slice(2), '20261201000000003-0000000d', ...strangers].sort());
    expect(existsSync(path.join(releases, names[0]!))).toBe(false);
  });

  it('never removes the release it makes live, even when it sorts first', async () => {
    const releases = path.join(dir, 'releases');
    const later = ['20261201000000005-0000000e', '20261201000000006-0000000f', '20261201000000007-00000010'];
    for (const name of later) await mkdir(path.join(releases, name), { recursive: true });
    const release = path.join(releases, '20261201000000001-00000001');
    await mkdir(release);
    await connection.activate({ link: path.join(dir, 'live'), release, activation: { argv: ['true'] }, releasesDir: releases, keep: 3 });
    expect(await readlink(path.join(dir, 'live'))).toBe(release);
    expect((await readdir(releases)).filter((name) => !name.startsWith('.trash-')).sort()).toEqual([release.split('/').at(-1)!, ...later].sort());
  });
});
