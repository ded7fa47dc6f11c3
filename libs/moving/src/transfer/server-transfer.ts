import net from 'node:net';
import { Injectable } from '@nestjs/common';
import type { Server } from '@ruche/hosting';
import { ConnectionPool, type ServerConnection } from '@ruche/provisioning';
import { isPeerHost } from './peer-address.js';

/** Where the receiving server reaches the sending one over SSH (its address seen from the fleet, not from Ruche). */
export interface PeerEndpoint {
  host: string;
  port: number;
}

const WORK_DIR = '/root/.ruche-move';
const TAG = /^[a-z0-9-]{1,64}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]+$/;
const SYSTEM_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const DATABASE = /^[a-z0-9][a-z0-9_]{0,63}$/;

const PATTERN = /^[A-Za-z0-9._*/-]{1,100}$/;
const excludes = (patterns: readonly string[] = []) => patterns.map((pattern) => {
  if (!PATTERN.test(pattern)) throw new Error('unsafe exclude pattern');
  return `--exclude=${pattern}`;
});

function checkPath(path: string): string {
  if (!SAFE_PATH.test(path) || path.split('/').includes('..')) throw new Error(`unsafe path ${JSON.stringify(path)}`);
  return path;
}

export function peerHost(host: string): string {
  if (isPeerHost(host)) return host;
  throw new Error(`unsafe host ${JSON.stringify(host)}`);
}

/** A copy from one server to another, pulled by the receiving server with a key made for this transfer only. */
export interface PeerCopy {
  /**
   * Copies `from/` (on the sending server) into `to/` (on the receiving one), files owned by
   * `owner`; `mirror` also deletes what the sender no longer has.
   */
  mirror(from: string, to: string, owner: string, options?: { mirror?: boolean; exclude?: readonly string[] }): Promise<void>;
  /** Notes the time on the sending server under `name`, for `copyNewer`. */
  mark(name: string): Promise<void>;
  /**
   * Copies the files under `from/` changed since the mark `name` (every file when null) into
   * `to/` (owned by `owner`), deleting nothing: what arrived on the sending server meanwhile,
   * without bringing back what the receiving one has since moved or deleted. With `identity`,
   * a file is not copied when the receiving side has one of the same identity (a maildir
   * message whose flags changed has a new name but is the same message); null: always copied.
   */
  copyNewer(from: string, to: string, owner: string, name: string | null, options?: { exclude?: readonly string[]; identity?: (relativePath: string) => string | null }): Promise<void>;
  /** Copies one file to the same path on the receiving server (root's, as on the sender). */
  copyFile(path: string): Promise<void>;
  /** Dumps a MariaDB database on the sending server and loads it into `into` on the receiving one. */
  copyMariadb(from: string, into: string): Promise<void>;
}

/**
 * Data goes server to server, never through Ruche: the receiving server gets a key pair of
 * its own for the transfer, the sending server accepts it (`restrict`: no forwarding, no
 * terminal) until the transfer ends, and rsync checks the sender's host key, read through the
 * connection Ruche pinned at registration. Every path and name is checked and passed as an
 * argument, never inside a script.
 */
@Injectable()
export class ServerTransfer {
  constructor(private readonly pool: ConnectionPool) {}

  async between<T>(source: Server, target: Server, endpoint: PeerEndpoint, tag: string, work: (copy: PeerCopy) => Promise<T>): Promise<T> {
    if (!TAG.test(tag)) throw new Error('bad transfer tag');
    const host = peerHost(endpoint.host);
    const from = await this.pool.get(source);
    const to = await this.pool.get(target);
    const key = `${WORK_DIR}/${tag}`;
    const made = await to.run([
      'sh',
      '-c',
      'set -e; umask 077; mkdir -p -- "$1" "$1/$2.d"; [ -f "$1/$2" ] || ssh-keygen -q -t ed25519 -N "" -C "ruche-move-$2" -f "$1/$2"; cat -- "$1/$2.pub"',
      'ruche-move-key',
      WORK_DIR,
      tag,
    ]);
    const publicKey = made.stdout.trim();
    if (!/^ssh-ed25519 [A-Za-z0-9+/=]+ ruche-move-[a-z0-9-]+$/.test(publicKey)) throw new Error(`the receiving server made no usable key (${JSON.stringify(publicKey.slice(0, 200))}; ${made.stderr.trim().slice(0, 200)})`);
    const hostKeys = (await from.run(['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub'])).stdout
      .split('\n')
      .filter((line) => /^[a-z0-9-]+ [A-Za-z0-9+/=]+/.test(line))
      .map((line) => line.split(' ').slice(0, 2).join(' '));
    const known = hostKeys.map((line) => `${endpoint.port === 22 ? host : `[${host}]:${endpoint.port}`} ${line}\n`).join('');
    await to.run(['sh', '-c', 'umask 077; cat > "$1"', 'ruche-move-known-hosts', `${key}.known_hosts`], { input: known });
    const authorized = `restrict ${publicKey}`;
    // Transfers running at once each add and remove their own line: one at a time (flock).
    await from.run(['sh', '-c', 'set -e; umask 077; mkdir -p /root/.ssh; exec 9>/root/.ssh/.ruche-move.lock; flock 9; key=$(cat); touch /root/.ssh/authorized_keys; grep -qxF -- "$key" /root/.ssh/authorized_keys || printf "%s\\n" "$key" >> /root/.ssh/authorized_keys', 'ruche-move-authorize'], { input: authorized });
    const ssh = `ssh -i ${key} -p ${endpoint.port} -o UserKnownHostsFile=${key}.known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes`;
    const remote = (path: string) => `root@${net.isIPv6(host) ? `[${host}]` : host}:${path}`;
    const rsync = async (source: string, destination: string, extra: string[], input?: string) => {
      const result = await to.run(['rsync', '-a', '--protect-args', '--mkpath', ...extra, '-e', ssh, remote(source), destination], { timeoutMs: 3_600_000, allowFailure: true, input });
      // 24: files vanished while copying (live maildirs: tmp files, locks): the next pass takes what is left.
      if (result.exitCode !== 0 && result.exitCode !== 24) throw new Error(`rsync exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    };
    const copy: PeerCopy = {
      mirror: async (fromPath, toPath, owner, options = {}) => {
        if (!SYSTEM_USER.test(owner)) throw new Error('unsafe owner');
        // The source may not exist yet (an empty account): copy nothing rather than fail.
        const exists = await from.run(['test', '-d', checkPath(fromPath)], { allowFailure: true });
        if (exists.exitCode !== 0) return;
        await rsync(`${checkPath(fromPath)}/`, `${checkPath(toPath)}/`, [`--chown=${owner}:${owner}`, ...(options.mirror === false ? [] : ['--delete']), ...excludes(options.exclude)]);
      },
      mark: async (name) => {
        if (!TAG.test(name)) throw new Error('bad mark name');
        await from.run(['sh', '-c', 'set -e; umask 077; mkdir -p -- "$1"; touch -- "$1/$2.mark"', 'ruche-move-mark', `${key}.d`, name]);
      },
      copyNewer: async (fromPath, toPath, owner, name, options = {}) => {
        if ((name !== null && !TAG.test(name)) || !SYSTEM_USER.test(owner)) throw new Error('bad mark name or owner');
        // Changed since the mark by status time: a file written before the mark and renamed after
        // it (a delivery leaving tmp/, a message given a flag) counts, as does one whose content
        // time was set in the past (an IMAP append with its date). The same exclusions as rsync's,
        // in find's terms: a pattern with a slash is a path, one without a name.
        const skip = (options.exclude ?? []).flatMap((pattern) => {
          if (!PATTERN.test(pattern)) throw new Error('unsafe exclude pattern');
          return pattern.includes('/') ? ['!', '-path', `./${pattern}`] : ['!', '-name', pattern];
        });
        const files = (dir: string, args: string[], connection: typeof from) =>
          connection
            .run(['sh', '-c', 'dir=$1; shift; cd -- "$dir" 2>/dev/null || exit 0; find . -type f "$@" -print0', 'ruche-move-list', checkPath(dir), ...args], { timeoutMs: 600_000 })
            .then((result) => result.stdout.split('\0').filter((file) => file !== '' && !file.includes('\n')));
        let changed = await files(fromPath, [...(name === null ? [] : ['-cnewer', `${key}.d/${name}.mark`]), ...skip], from);
        if (changed.length > 0 && options.identity) {
          const identity = options.identity;
          const present = new Set((await files(toPath, [], to)).map(identity));
          changed = changed.filter((file) => {
            const same = identity(file);
            return same === null || !present.has(same);
          });
        }
        if (changed.length === 0) return;
        await rsync(`${checkPath(fromPath)}/`, `${checkPath(toPath)}/`, ['--files-from=-', `--chown=${owner}:${owner}`, ...excludes(options.exclude)], changed.map((file) => `${file}\n`).join(''));
      },
      copyFile: async (path) => {
        await rsync(checkPath(path), checkPath(path), []);
      },
      copyMariadb: async (fromName, intoName) => {
        if (!DATABASE.test(fromName) || !DATABASE.test(intoName)) throw new Error('unsafe database name');
        const dump = `${key}.d/${fromName}.sql`;
        await from.run(['sh', '-c', 'set -e; umask 077; mkdir -p -- "${2%/*}"; mariadb-dump --single-transaction --routines --triggers --events -- "$1" > "$2.tmp"; mv -f -- "$2.tmp" "$2"', 'ruche-move-dump', fromName, dump], { timeoutMs: 3_600_000 });
        await to.run(['rsync', '-a', '--protect-args', '--mkpath', '-e', ssh, remote(dump), dump], { timeoutMs: 3_600_000 });
        await to.run(['sh', '-c', 'mariadb -- "$1" < "$2"', 'ruche-move-restore', intoName, dump], { timeoutMs: 3_600_000 });
        await Promise.all([from.run(['rm', '-f', '--', dump]), to.run(['rm', '-f', '--', dump])]);
      },
    };
    try {
      return await work(copy);
    } finally {
      await this.forget(from, to, key, authorized);
    }
  }

  /** The transfer's key stops working on the sender and is deleted on the receiver. */
  private async forget(from: ServerConnection, to: ServerConnection, key: string, authorized: string): Promise<void> {
    await from
      .run(['sh', '-c', 'exec 9>/root/.ssh/.ruche-move.lock; flock 9; key=$(cat); f=/root/.ssh/authorized_keys; [ -f "$f" ] || exit 0; umask 077; grep -vxF -- "$key" "$f" > "$f.ruche-move" || true; mv -f -- "$f.ruche-move" "$f"', 'ruche-move-revoke'], { input: authorized })
      .catch(() => undefined);
    await to.run(['rm', '-rf', '--', key, `${key}.pub`, `${key}.known_hosts`, `${key}.d`]).catch(() => undefined);
  }
}
