import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Server } from '@ruche/hosting';
import { CommandConnection, moveToSubfolders, NewerLayout, RELEASE_LAYOUT, sharedSubfolders, subfolderOf, type CommandResult, type ServerConnection } from './connection.js';
import { LocalConnection } from './local-connection.js';

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

  it('fails a restore when any file cannot be restored, not only the last', async () => {
    await mkdir(path.join(dir, 'live/sites'), { recursive: true });
    await writeFile(path.join(dir, 'live/sites/a.conf'), 'a');
    await mkdir(path.join(dir, 'next'));
    await expect(connection.restoreFiles(path.join(dir, 'live'), path.join(dir, 'next'), ['sites/gone.conf', 'sites/a.conf'])).rejects.toThrow(/gone\.conf/);
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

  describe('with a shared folder (zones in subfolders)', () => {
    const name = (n: number) => `2026120100000000${n}-0000000${n}`;
    const stage = (n: number, files: Record<string, string>, removed: string[] = []) =>
      connection.stage({ source: path.join(dir, 'live'), release: path.join(dir, 'releases', name(n)), files: new Map(Object.entries(files)), removed, check: null, shared: 'zones' });
    const activate = (n: number, keep = 3) =>
      connection.activate({ link: path.join(dir, 'live'), release: path.join(dir, 'releases', name(n)), activation: { argv: ['true'] }, releasesDir: path.join(dir, 'releases'), keep });
    const at = (n: number, file: string) => path.join(dir, 'releases', name(n), file);

    it('links the subfolders a release does not change to the older copy and copies only those it changes; the older release stays as it was', async () => {
      await stage(1, { 'knot.conf': 'list 1', 'zones/aa/a.zone': 'a1', 'zones/bb/b.zone': 'b1', 'zones/bb/c.zone': 'c1' });
      await activate(1);
      // The first release's subfolders are its own, in the store, linked from the release.
      expect(await readlink(at(1, 'zones/aa'))).toBe(`../../.store/${name(1)}/aa`);
      expect(await readFile(at(1, 'zones/aa/a.zone'), 'utf8')).toBe('a1');

      await stage(2, { 'knot.conf': 'list 2', 'zones/bb/b.zone': 'b2' }, ['zones/bb/c.zone']);
      expect(await readlink(at(2, 'zones/aa'))).toBe(`../../.store/${name(1)}/aa`);
      expect(await readlink(at(2, 'zones/bb'))).toBe(`../../.store/${name(2)}/bb`);
      expect(await readFile(at(2, 'zones/bb/b.zone'), 'utf8')).toBe('b2');
      expect(existsSync(at(2, 'zones/bb/c.zone'))).toBe(false);
      expect(await readFile(at(1, 'zones/bb/b.zone'), 'utf8')).toBe('b1');
      expect(await readFile(at(1, 'zones/bb/c.zone'), 'utf8')).toBe('c1');
      expect(await readFile(at(1, 'knot.conf'), 'utf8')).toBe('list 1');
      // A file the change left alone in a copied subfolder is the same file (a hard link).
      await stage(3, { 'zones/aa/new.zone': 'n' });
      expect((await stat(at(3, 'zones/aa/a.zone'))).ino).toBe((await stat(at(1, 'zones/aa/a.zone'))).ino);

      // The live tree is read through the links.
      await activate(2);
      await symlink('/etc', at(2, 'zones/elsewhere'));
      expect([...(await connection.hashTree(path.join(dir, 'live'))).keys()].sort()).toEqual(['knot.conf', 'zones/aa/a.zone', 'zones/bb/b.zone']);
    });

    it('copies a shared subfolder before a file is written into it, removed from it or restored into it after staging', async () => {
      await stage(1, { 'zones/aa/a.zone': 'a1', 'zones/aa/b.zone': 'b1', 'zones/cc/c.zone': 'c1' });
      await activate(1);
      await stage(2, { 'knot.conf': 'list' });
      expect(await readlink(at(2, 'zones/aa'))).toBe(`../../.store/${name(1)}/aa`);

      await connection.removeFiles(at(2, ''), ['zones/aa/a.zone'], 'zones');
      await connection.writeFiles(at(2, ''), new Map([['zones/aa/b.zone', 'b2']]), 'zones');
      expect(await readlink(at(2, 'zones/aa'))).toBe(`../../.store/${name(2)}/aa`);
      expect(existsSync(at(2, 'zones/aa/a.zone'))).toBe(false);
      expect(await readFile(at(2, 'zones/aa/b.zone'), 'utf8')).toBe('b2');
      await connection.restoreFiles(path.join(dir, 'live'), at(2, ''), ['zones/aa/a.zone', 'zones/cc/c.zone'], 'zones');
      expect(await readFile(at(2, 'zones/aa/a.zone'), 'utf8')).toBe('a1');
      expect(await readlink(at(2, 'zones/cc'))).toBe(`../../.store/${name(2)}/cc`);
      // The live release saw none of it.
      expect(await readFile(at(1, 'zones/aa/a.zone'), 'utf8')).toBe('a1');
      expect(await readFile(at(1, 'zones/aa/b.zone'), 'utf8')).toBe('b1');
    });

    it('removes the shared subfolders no kept release links to any more, with the releases', async () => {
      await stage(1, { 'zones/aa/a.zone': 'a1', 'zones/bb/b.zone': 'b1' });
      await activate(1, 1);
      await stage(2, { 'zones/aa/a.zone': 'a2' });
      expect(await activate(2, 1)).toEqual({ cleanupSkipped: null });
      // Release 1 is gone; its copy of aa with it, its copy of bb kept (release 2 links to it).
      await eventually(async () => (await readdir(path.join(dir, 'releases'))).every((entry) => !entry.startsWith('.trash-')), 'the old release to be removed');
      expect((await readdir(path.join(dir, 'releases'))).sort()).toEqual(['.store', name(2)]);
      expect((await readdir(path.join(dir, 'releases/.store'))).sort()).toEqual([name(1), name(2)]);
      expect(await readdir(path.join(dir, 'releases/.store', name(1)))).toEqual(['bb']);
      expect(await readFile(at(2, 'zones/bb/b.zone'), 'utf8')).toBe('b1');

      await stage(3, { 'zones/bb/b.zone': 'b3' });
      await activate(3, 1);
      await eventually(async () => (await readdir(path.join(dir, 'releases'))).every((entry) => !entry.startsWith('.trash-')), 'the old release to be removed');
      expect((await readdir(path.join(dir, 'releases/.store'))).sort()).toEqual([name(2), name(3)]);
    });

    it('keeps every shared subfolder when the releases cannot be listed, and says why', async () => {
      await stage(1, { 'zones/aa/a.zone': 'a1', 'zones/bb/b.zone': 'b1' });
      await activate(1);
      await stage(2, { 'zones/aa/a.zone': 'a2' });
      const bin = path.join(dir, 'bin');
      await mkdir(bin);
      await writeFile(path.join(bin, 'find'), '#!/bin/sh\necho "find: broken" >&2\nexit 1\n', { mode: 0o755 });
      const saved = process.env.PATH;
      process.env.PATH = `${bin}:${saved}`;
      let activated;
      try {
        // (The daemon's reload says something too: the reason given is the listing's own.)
        activated = await connection.activate({
          link: path.join(dir, 'live'),
          release: path.join(dir, 'releases', name(2)),
          activation: { argv: ['sh', '-c', 'echo "nginx: [warn] a word of the reload" >&2'] },
          releasesDir: path.join(dir, 'releases'),
          keep: 1,
        });
      } finally {
        process.env.PATH = saved;
      }
      expect(activated.cleanupSkipped).toBe('the kept releases could not be listed; every shared subfolder is kept (find: broken)');
      expect((await readdir(path.join(dir, 'releases/.store'))).sort()).toEqual([name(1), name(2)]);
      expect(await readFile(path.join(dir, 'live/zones/bb/b.zone'), 'utf8')).toBe('b1');
      expect(await readFile(path.join(dir, 'live/zones/aa/a.zone'), 'utf8')).toBe('a2');
    });

    it('makes a subfolder again when its link leads nowhere (its copy removed by hand)', async () => {
      await stage(1, { 'zones/aa/a.zone': 'a1', 'zones/bb/b.zone': 'b1' });
      await activate(1);
      await rm(path.join(dir, 'releases/.store', name(1), 'aa'), { recursive: true });
      // The live tree reads as without that subfolder's files: they are written again.
      expect([...(await connection.hashTree(path.join(dir, 'live'))).keys()]).toEqual(['zones/bb/b.zone']);
      await stage(2, { 'zones/aa/a.zone': 'a1' });
      expect(await readlink(at(2, 'zones/aa'))).toBe(`../../.store/${name(2)}/aa`);
      expect(await readFile(at(2, 'zones/aa/a.zone'), 'utf8')).toBe('a1');
    });

    it('moves a live tree in the flat layout into subfolders as it is, in a release of its own; no older release sees any of it', async () => {
      const sub = subfolderOf;
      await stage(1, { [`zones/${sub('a')}/a.zone`]: 'a1' });
      await activate(1);
      // The live release also holds the earlier layout: files in zones/ itself, one of them a stale
      // copy of a file a subfolder already holds, and a stray that no zone is named for. (z136's
      // subfolder is 00, first in the list, which awk once compared as the number 0.)
      expect(sub('z136')).toBe('00');
      await stage(2, { 'zones/x.zone': 'x', 'zones/y.zone': 'y', 'zones/z136.zone': 'z', 'zones/a.zone': 'stale', 'zones/copy of x.zone': 'stray' });
      await activate(2);
      const move = { releasesDir: path.join(dir, 'releases'), live: path.join(dir, 'live'), shared: 'zones', suffix: '.zone', names: ['a', 'x', 'y', 'z136'] };

      // A rewrite that fails stops the move before the swap, and leaves nothing behind.
      await expect(moveToSubfolders(connection, { ...move, rewrite: 'exit 3' })).rejects.toThrow(/exited with 3/);
      expect(await readlink(path.join(dir, 'live'))).toBe(path.join(dir, 'releases', name(2)));
      expect((await readdir(path.join(dir, 'releases'))).filter((entry) => !entry.startsWith('.trash-')).sort()).toEqual(['.store', name(1), name(2)]);
      expect((await readdir(path.join(dir, 'releases/.store'))).sort()).toEqual([name(1)]);

      // The rewrite reads the moves as sorted "<subfolder> <name>" lines.
      await moveToSubfolders(connection, { ...move, rewrite: 'cp -- "$release/.layout" "$release/moves"' });
      const live = path.join(dir, 'live');
      const moved = await readlink(live);
      expect(moved).not.toBe(path.join(dir, 'releases', name(2)));
      expect(await readFile(path.join(live, 'moves'), 'utf8')).toBe(['a', 'x', 'y', 'z136'].map((zone) => `${sub(zone)} ${zone}`).sort().map((line) => `${line}\n`).join(''));
      expect(await readFile(path.join(live, `zones/${sub('x')}/x.zone`), 'utf8')).toBe('x');
      expect(await readFile(path.join(live, `zones/${sub('y')}/y.zone`), 'utf8')).toBe('y');
      expect(await readFile(path.join(live, 'zones/00/z136.zone'), 'utf8')).toBe('z');
      expect(existsSync(path.join(live, 'zones/x.zone'))).toBe(false);
      expect(await readlink(path.join(live, `zones/${sub('x')}`))).toBe(`../../.store/${moved.split('/').pop()}/${sub('x')}`);
      // A file already in its subfolder is not replaced (the stale copy stays beside it, a stray
      // for the next run), nor is what no name was given for.
      expect(await readFile(path.join(live, `zones/${sub('a')}/a.zone`), 'utf8')).toBe('a1');
      expect(existsSync(path.join(live, 'zones/a.zone'))).toBe(true);
      expect(existsSync(path.join(live, 'zones/copy of x.zone'))).toBe(true);
      // The releases before are as they were.
      expect(existsSync(at(2, 'zones/x.zone'))).toBe(true);
      expect(await readdir(at(1, `zones/${sub('a')}`))).toEqual(['a.zone']);
    });
  });

  // The same rule over SSH (the scripts, run by this machine's sh) and in the local transport's folder.
  describe.each([
    ['run by a server’s shell', () => ({ connection: connection as ServerConnection, releases: path.join(dir, 'releases'), on: (file: string) => file })],
    ['in the local transport', () => ({ connection: new LocalConnection({ name: 'here' } as Server, dir) as ServerConnection, releases: '/releases', on: (file: string) => path.join(dir, file) })],
  ])('%s', (_, setUp) => {
    it('is marked with this Ruche’s layout, and never written to once a newer Ruche has marked it', async () => {
      const { connection, releases, on } = setUp();
      const mark = on(`${releases}/.ruche-layout`);
      await connection.claimLayout(releases);
      expect(await readFile(mark, 'utf8')).toBe(`${RELEASE_LAYOUT}\n`);
      // An older mark is this Ruche's to take over.
      await writeFile(mark, '1\n');
      await connection.claimLayout(releases);
      expect(await readFile(mark, 'utf8')).toBe(`${RELEASE_LAYOUT}\n`);
      const staged = () => connection.stage({ source: null, release: `${releases}/20261201000000000-aaaaaaaa`, files: new Map([['a.conf', 'a']]), removed: [], check: null });
      expect(await staged()).toBeNull();

      // A newer Ruche's: refused at set-up and at every stage, the mark left as it is and nothing written.
      await rm(on(`${releases}/20261201000000000-aaaaaaaa`), { recursive: true });
      for (const [written, said] of [[`${RELEASE_LAYOUT + 1}\n`, `layout ${RELEASE_LAYOUT + 1};`], ['three\n', 'layout three, not a number;'], ['', 'layout nothing, not a number;']] as const) {
        await writeFile(mark, written);
        const refused = await connection.claimLayout(releases).then(() => null, (error: unknown) => error);
        expect(refused).toBeInstanceOf(NewerLayout);
        expect((refused as Error).message).toContain(`written by a newer Ruche (${said}`);
        await expect(staged()).rejects.toThrow(`written by a newer Ruche (${said}`);
        await expect(staged()).rejects.toBeInstanceOf(NewerLayout);
        expect(await readFile(mark, 'utf8')).toBe(written);
        expect(await readdir(on(releases))).toEqual(['.ruche-layout']);
      }
    });
  });

  it('names the shared subfolders a change touches, and refuses names a shell would expand', () => {
    expect(sharedSubfolders('zones', ['knot.conf', 'zones/bb/b.zone', 'zones/aa/a.zone', 'zones/bb/c.zone', 'other/aa/x'])).toEqual(['aa', 'bb']);
    expect(sharedSubfolders(null, ['zones/aa/a.zone'])).toEqual([]);
    expect(() => sharedSubfolders('zones', ['zones/a b/x.zone'])).toThrow(/Refusing/);
    expect(() => sharedSubfolders('zones', ['zones/*/x.zone'])).toThrow(/Refusing/);
    expect(() => sharedSubfolders('zo nes', ['zo nes/a/x.zone'])).toThrow(/Refusing/);
  });
});
