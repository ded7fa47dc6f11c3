import { connect as tcpConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { Server } from '@ruche/hosting';
import { fingerprint, type SshIdentity } from '../ssh/ssh-identity.js';
import { CommandConnection, HostKeyMismatch, TransportError, type CommandResult } from './connection.js';
import { shellQuote } from './shell-quote.js';

export interface SshOptions {
  identity: SshIdentity;
  connectTimeoutMs: number;
  /** Called with the key seen when the server has none pinned yet (registration). */
  onFirstHostKey?: (fingerprint: string) => void;
}

/**
 * The TCP connection under SSH, with Nagle's algorithm off: a command is a few small messages
 * each way (open a channel, run, standard input and its end, the exit status), and with Nagle
 * on, a message sent before the other side acknowledged the previous one waited for its delayed
 * acknowledgement: 40 ms or more per command (a click is three commands), against 7 ms without.
 */
function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port, noDelay: true });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/**
 * One SSH connection to a server, kept open and reused by every job for that server.
 * Key authentication only; the host key must match the pinned fingerprint.
 */
export class SshConnection extends CommandConnection {
  private constructor(
    server: Server,
    private readonly ssh: NodeSSH,
    readonly hostKey: string,
  ) {
    super(server);
  }

  static async open(server: Server, options: SshOptions): Promise<SshConnection> {
    const ssh = new NodeSSH();
    let seen = '';
    let sock: Socket | null = null;
    try {
      sock = await openSocket(server.address, server.port, options.connectTimeoutMs);
      await ssh.connect({
        sock,
        username: server.sshUser,
        privateKey: options.identity.privateKey,
        readyTimeout: options.connectTimeoutMs,
        // A server that vanishes (powered off, container stopped) is noticed in seconds, not minutes.
        keepaliveInterval: 2_000,
        keepaliveCountMax: 2,
        hostVerifier: (key: Buffer) => {
          seen = fingerprint(key);
          return server.hostKeyFingerprint === null || seen === server.hostKeyFingerprint;
        },
      });
    } catch (error) {
      ssh.dispose();
      // (ssh2 may refuse its options before it takes the socket over.)
      sock?.destroy();
      if (server.hostKeyFingerprint && seen && seen !== server.hostKeyFingerprint) {
        throw new HostKeyMismatch(`host key of ${server.name} is ${seen}, not the pinned ${server.hostKeyFingerprint}`);
      }
      throw new TransportError(`cannot reach ${server.name} (${server.address}:${server.port}) over SSH: ${(error as Error).message}`);
    }
    return new SshConnection(server, ssh, seen);
  }

  get connected(): boolean {
    return this.ssh.isConnected();
  }

  async exec(argv: string[], input: Buffer | null, timeoutMs: number): Promise<CommandResult> {
    // Without sudo for root; a non-root account runs every command through sudo -n.
    const command = shellQuote(this.server.sshUser === 'root' ? argv : ['sudo', '-n', '--', ...argv]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        this.ssh.execCommand(command, { noTrim: true, ...(input ? { stdin: Readable.from([input]) } : {}) }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TransportError(`${argv[0]} on ${this.server.name} timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      // No exit code: the command was killed (a server going down takes its processes with it)
      // or the connection dropped. That says nothing of the change: retry, do not blame it.
      if (result.code === null) {
        throw new TransportError(`${argv[0]} on ${this.server.name} ended without an exit code${result.signal ? ` (signal ${result.signal})` : ''}: the server or the connection went away`);
      }
      return { exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw new TransportError(`SSH to ${this.server.name} failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.ssh.dispose();
  }
}
