import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { Server } from '@ruche/hosting';
import { DockerConnection } from './docker-connection.js';

/** An engine whose exec answers at once with the given output: the timing logic under test is ours. */
function fakeDocker(stdout: string): Docker {
  const container = {
    exec: async () => ({
      start: async () => {
        const stream = new PassThrough();
        setImmediate(() => stream.end(stdout));
        return stream;
      },
      inspect: async () => ({ Running: false, ExitCode: 0 }),
    }),
    modem: { demuxStream: (stream: PassThrough, out: PassThrough) => stream.pipe(out) },
  };
  return { getContainer: () => container } as unknown as Docker;
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('the docker transport', () => {
  it('leaves no timer behind once a command has answered', async () => {
    const connection = new DockerConnection({ name: 'fake', address: 'fake' } as Server, fakeDocker('hello'));
    const before = timers();
    for (let i = 0; i < 5; i++) expect((await connection.run(['echo', 'hello'], { timeoutMs: 600_000 })).stdout).toBe('hello');
    expect(timers()).toBe(before);
  });
});
