import { createHash } from 'node:crypto';
import { posix as path } from 'node:path';
import tar from 'tar-stream';
import type { Server } from '@ruche/hosting';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input (file contents, archives): never part of the command line. */
  input?: string | Buffer;
  timeoutMs?: number;
  /** Resolve with a non-zero exit code instead of throwing CommandFailed. */
  allowFailure?: boolean;
}

/** The server could not be reached or talked to: retry later, the resources are not at fault. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** A command ran and failed. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
  constructor(
    readonly argv: string[],
    readonly result: CommandResult,
  ) {
    super(`${argv[0]} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
  }
}

/** Files of a rendered tree, by path relative to the tree's root. */
export type FileTree = ReadonlyMap<string, string | Buffer>;

/**
 * What drivers and the reconciler do on a server. Remote transports implement all of it with
 * commands given as argv; the local transport with the file system.
 */
export interface ServerConnection {
  readonly server: Server;
  /** True when commands really run (false for the local transport, which only writes files). */
  readonly runsCommands: boolean;
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /** SHA-256 of every file under `directory` (following a symlinked root), by relative path; empty if missing. */
  hashTree(directory: string): Promise<Map<string, string>>;
  /** Makes `staging` a copy of `source` made of hard links (cheap, and leaves `source` untouched), or empty. */
  stageFrom(source: string | null, staging: string): Promise<void>;
  /** Writes files under `directory`, replacing (never rewriting in place) what is there. */
  writeFiles(directory: string, files: FileTree): Promise<void>;
  removeFiles(directory: string, relativePaths: readonly string[]): Promise<void>;
  /** Hard-links files from `source` (a symlink is followed) into `directory`, for what must stay as it was. */
  restoreFiles(source: string, directory: string, relativePaths: readonly string[]): Promise<void>;
  /** Points `link` at `target` atomically (a rename of a new symlink over the old one). */
  switchLink(link: string, target: string): Promise<void>;
  readLink(link: string): Promise<string | null>;
  /** Names in `directory`, or [] if it does not exist. */
  list(directory: string): Promise<string[]>;
  removeTrees(paths: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A tar archive of a file tree, for one round trip instead of one per file. */
export async function tarball(files: FileTree): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    pack.entry({ name, mode: 0o644, mtime: new Date() }, typeof content === 'string' ? Buffer.from(content) : content);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Absolute paths only, normalised, without `..`: what Ruche may touch on a server. */
export function checkedPath(value: string): string {
  const normalised = path.normalize(value);
  if (!path.isAbsolute(normalised) || normalised.split('/').includes('..') || /[\0\n]/.test(normalised)) {
    throw new Error(`Refusing unsafe path ${JSON.stringify(value)}`);
  }
  return normalised;
}

/**
 * Everything but running a command, done with commands. Each primitive is one round trip;
 * scripts are fixed strings and every value reaches them as a positional argument.
 */
export abstract class CommandConnection implements ServerConnection {
  readonly runsCommands = true;

  constructor(readonly server: Server) {}

  abstract exec(argv: string[], input: Buffer | null, timeoutMs: number): Promise<CommandResult>;
  abstract close(): Promise<void>;

  async run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const input = options.input === undefined ? null : Buffer.isBuffer(options.input) ? options.input : Buffer.from(options.input);
    const result = await this.exec(argv, input, options.timeoutMs ?? 60_000);
    if (result.exitCode !== 0 && !options.allowFailure) throw new CommandFailed(argv, result);
    return result;
  }

  async hashTree(directory: string): Promise<Map<string, string>> {
    const root = checkedPath(directory);
    const result = await this.run(['sh', '-c', '[ -e "$1" ] || exit 0; cd -P -- "$1" && find . -type f -exec sha256sum -- {} +', 'ruche-hash', root]);
    const hashes = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const match = /^([0-9a-f]{64}) [ *]\.\/(.+)$/.exec(line);
      if (match) hashes.set(match[2]!, match[1]!);
    }
    return hashes;
  }

  async stageFrom(source: string | null, staging: string): Promise<void> {
    const target = checkedPath(staging);
    if (source) {
      await this.run(['sh', '-c', 'rm -rf -- "$2" && mkdir -p -- "$(dirname -- "$2")" && cp -al -- "$(readlink -f -- "$1")" "$2"', 'ruche-stage', checkedPath(source), target]);
    } else {
      await this.run(['sh', '-c', 'rm -rf -- "$1" && mkdir -p -- "$1"', 'ruche-stage', target]);
    }
  }

  async writeFiles(directory: string, files: FileTree): Promise<void> {
    if (files.size === 0) return;
    for (const name of files.keys()) checkedPath(`/${name}`);
    // --unlink-first: a hard-linked file is replaced, never rewritten, so the live tree stays as it was.
    await this.run(['sh', '-c', 'mkdir -p -- "$1" && exec tar -x --no-same-owner --unlink-first -C "$1"', 'ruche-write', checkedPath(directory)], {
      input: await tarball(files),
    });
  }

  async removeFiles(directory: string, relativePaths: readonly string[]): Promise<void> {
    if (relativePaths.length === 0) return;
    const root = checkedPath(directory);
    const paths = relativePaths.map((relative) => checkedPath(path.join(root, relative)));
    await this.run(['xargs', '-0', 'rm', '-f', '--'], { input: `${paths.join('\0')}\0` });
  }

  async restoreFiles(source: string, directory: string, relativePaths: readonly string[]): Promise<void> {
    if (relativePaths.length === 0) return;
    for (const relative of relativePaths) checkedPath(`/${relative}`);
    await this.run([
      'sh',
      '-c',
      'src=$(readlink -f -- "$1"); dst=$2; shift 2; for p; do mkdir -p -- "$dst/$(dirname -- "$p")" && ln -f -- "$src/$p" "$dst/$p"; done',
      'ruche-restore',
      checkedPath(source),
      checkedPath(directory),
      ...relativePaths,
    ]);
  }

  async switchLink(link: string, target: string): Promise<void> {
    await this.run(['sh', '-c', 'ln -sfn -- "$2" "$1.new" && mv -T -- "$1.new" "$1"', 'ruche-switch', checkedPath(link), checkedPath(target)]);
  }

  async readLink(link: string): Promise<string | null> {
    const result = await this.run(['readlink', '--', checkedPath(link)], { allowFailure: true });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async list(directory: string): Promise<string[]> {
    const result = await this.run(['sh', '-c', '[ -d "$1" ] || exit 0; ls -1A -- "$1"', 'ruche-list', checkedPath(directory)]);
    return result.stdout.split('\n').filter(Boolean);
  }

  async removeTrees(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.run(['rm', '-rf', '--', ...paths.map(checkedPath)]);
  }
}
