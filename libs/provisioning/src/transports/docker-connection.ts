import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { Server } from '@ruche/hosting';
import { CommandConnection, TransportError, type CommandResult } from './connection.js';

/**
 * A container reached through the Docker API (exec with argv): for tooling and containers
 * Ruche manages directly. `address` is the container's name or id; the engine is DOCKER_HOST
 * or the default socket.
 */
export class DockerConnection extends CommandConnection {
  private readonly container: Docker.Container;

  constructor(server: Server, docker = new Docker()) {
    super(server);
    this.container = docker.getContainer(server.address);
  }

  async exec(argv: string[], input: Buffer | null, timeoutMs: number): Promise<CommandResult> {
    try {
      const exec = await this.container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: input !== null });
      const stream = await exec.start({ hijack: true, stdin: input !== null });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => out.push(chunk));
      stderr.on('data', (chunk: Buffer) => err.push(chunk));
      this.container.modem.demuxStream(stream, stdout, stderr);
      if (input !== null) stream.end(input);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          new Promise<void>((resolve, reject) => {
            stream.on('end', resolve);
            stream.on('close', resolve);
            stream.on('error', reject);
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new TransportError(`${argv[0]} timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
      let info = await exec.inspect();
      for (let i = 0; info.Running && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        info = await exec.inspect();
      }
      return { exitCode: info.ExitCode ?? 255, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw new TransportError(`Docker exec in ${this.server.name} failed: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {}
}
