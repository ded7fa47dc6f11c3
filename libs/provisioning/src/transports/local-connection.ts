import { appendFile, link, mkdir, readdir, readFile, realpath, rename, rm, symlink, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Server } from '@ruche/hosting';
import { checkedPath, LAYOUT_FILE, NewerLayout, RELEASE_LAYOUT, RELEASE_NAME, sha256Hex, TransportError, type ActivateOptions, type ActivateResult, type CommandResult, type FileTree, type RunOptions, type ServerConnection, type StageOptions } from './connection.js';

const DISK_OPERATIONS = ['run', 'hashTree', 'stage', 'activate', 'writeFiles', 'removeFiles', 'restoreFiles', 'switchLink', 'list', 'removeTrees', 'claimLayout'] as const;

/**
 * The embedded default's "server": a folder. Files land under `<root>` exactly as they would on
 * a server (`/etc/nginx/ruche` becomes `<root>/etc/nginx/ruche`); commands do not run, they are
 * appended to `<root>/ruche-commands.log` so one can read what a real server would have done.
 */
export class LocalConnection implements ServerConnection {
  readonly runsCommands = false;

  constructor(
    readonly server: Server,
    private readonly root: string,
  ) {
    // A folder that cannot be written is this "server" being out of reach: its resources fail
    // and are retried with backoff, as for a server that does not answer, instead of staying
    // `applying` behind a job that crashed.
    for (const name of DISK_OPERATIONS) {
      const operation = this[name].bind(this) as (...args: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        try {
          return await operation(...args);
        } catch (error) {
          if (error instanceof TransportError || !(error as NodeJS.ErrnoException).code) throw error;
          throw new TransportError(`the folder of ${server.name} cannot be written (${(error as NodeJS.ErrnoException).code})`);
        }
      };
    }
  }

  private at(serverPath: string): string {
    return path.join(this.root, checkedPath(serverPath));
  }

  async run(argv: string[], _options: RunOptions = {}): Promise<CommandResult> {
    await mkdir(this.root, { recursive: true });
    await appendFile(path.join(this.root, 'ruche-commands.log'), `${new Date().toISOString()} ${JSON.stringify(argv)}\n`);
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  async hashTree(directory: string): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    let root: string;
    try {
      root = await realpath(this.at(directory));
    } catch {
      return hashes;
    }
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) hashes.set(path.relative(root, full), sha256Hex(await readFile(full)));
      }
    };
    await walk(root);
    return hashes;
  }

  async claimLayout(releasesDir: string): Promise<void> {
    const layout = await this.layout(releasesDir);
    if (layout === String(RELEASE_LAYOUT)) return;
    await mkdir(this.at(releasesDir), { recursive: true });
    await writeFile(this.at(`${releasesDir}/${LAYOUT_FILE}.new`), `${RELEASE_LAYOUT}\n`);
    await rename(this.at(`${releasesDir}/${LAYOUT_FILE}.new`), this.at(`${releasesDir}/${LAYOUT_FILE}`));
  }

  /** The layout a releases folder is marked with ('0' when it is not); throws NewerLayout for one this Ruche must not write to. */
  private async layout(releasesDir: string): Promise<string> {
    let text: string;
    try {
      text = (await readFile(this.at(`${releasesDir}/${LAYOUT_FILE}`), 'utf8')).split('\n')[0]!;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '0';
      throw error;
    }
    if (!/^\d+$/.test(text)) throw new NewerLayout(`${text || 'nothing'}, not a number`);
    if (Number(text) > RELEASE_LAYOUT) throw new NewerLayout(text);
    return text;
  }

  /** No checker runs here: the local "server" has no daemons. */
  async stage(options: StageOptions): Promise<CommandResult | null> {
    await this.layout(path.posix.dirname(options.release));
    await this.stageFrom(options.source, options.release);
    await this.writeFiles(options.release, options.files);
    await this.removeFiles(options.release, options.removed);
    return null;
  }

  async activate(options: ActivateOptions): Promise<ActivateResult> {
    await this.switchLink(options.link, options.release);
    await this.run(options.activation.argv);
    const name = options.release.slice(options.releasesDir.length + 1);
    const releases = (await this.list(options.releasesDir)).filter((entry) => RELEASE_NAME.test(entry)).sort();
    const stale = releases.slice(0, Math.max(0, releases.length - options.keep)).filter((entry) => entry !== name);
    await this.removeTrees(stale.map((entry) => `${options.releasesDir}/${entry}`));
    return { cleanupSkipped: null };
  }

  async stageFrom(source: string | null, staging: string): Promise<void> {
    const target = this.at(staging);
    await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    if (!source) return;
    let from: string;
    try {
      from = await realpath(this.at(source));
    } catch {
      return;
    }
    const copy = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const to = path.join(target, path.relative(from, full));
        if (entry.isDirectory()) {
          await mkdir(to, { recursive: true });
          await copy(full);
        } else if (entry.isFile()) {
          await link(full, to);
        }
      }
    };
    await copy(from);
  }

  async writeFiles(directory: string, files: FileTree): Promise<void> {
    const root = this.at(directory);
    for (const [name, content] of files) {
      const file = path.join(root, checkedPath(`/${name}`));
      await mkdir(path.dirname(file), { recursive: true });
      // Replace, never rewrite: the file may be a hard link into the live tree.
      await rm(file, { force: true });
      await writeFile(file, content, { mode: 0o644 });
    }
  }

  async removeFiles(directory: string, relativePaths: readonly string[]): Promise<void> {
    const root = this.at(directory);
    for (const relative of relativePaths) await rm(path.join(root, checkedPath(`/${relative}`)), { force: true });
  }

  async restoreFiles(source: string, directory: string, relativePaths: readonly string[]): Promise<void> {
    const from = await realpath(this.at(source));
    for (const relative of relativePaths) {
      const to = path.join(this.at(directory), checkedPath(`/${relative}`));
      await mkdir(path.dirname(to), { recursive: true });
      await rm(to, { force: true });
      await link(path.join(from, checkedPath(`/${relative}`)), to);
    }
  }

  async switchLink(linkPath: string, target: string): Promise<void> {
    const at = this.at(linkPath);
    await mkdir(path.dirname(at), { recursive: true });
    await rm(`${at}.new`, { force: true });
    // Relative, so the folder can move (./var copied elsewhere) without breaking links.
    await symlink(path.relative(path.dirname(at), this.at(target)), `${at}.new`);
    await rename(`${at}.new`, at);
  }


  async list(directory: string): Promise<string[]> {
    try {
      if (!(await stat(this.at(directory))).isDirectory()) return [];
      return await readdir(this.at(directory));
    } catch {
      return [];
    }
  }

  async removeTrees(paths: readonly string[]): Promise<void> {
    for (const serverPath of paths) await rm(this.at(serverPath), { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
