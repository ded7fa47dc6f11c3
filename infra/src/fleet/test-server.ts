import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { dockerClient } from './docker-client.js';
import { queryDns } from './dns-query.js';
import { ensureFleetReady } from './fleet-ready.js';
import { createTestNetwork, type TestNetwork } from './test-network.js';
import { httpGet, loopback, mariadbHandshake, postgresAnswers, readBanner } from './loopback-probes.js';
import { ignoreStatus, testResourceLabels } from './test-resources.js';

export type ServerService = 'web' | 'dns' | 'mail' | 'mariadb' | 'postgresql';

export interface StartServerOptions {
  /** Container name and host name; a random `ruche-test-…` by default. */
  name?: string;
  /** Started by the entrypoint besides SSH, which always runs. */
  services: ServerService[];
  /** An OpenSSH public key line (`ssh-ed25519 AAAA… comment`) that may log in as root. */
  authorizedKey: string;
  /**
   * A test network (createTestNetwork) to join. By default the server gets a network of its own,
   * named like it and removed with it: never Docker's default bridge, which a CI machine's
   * network rules may leave unreachable from the machine's own published ports.
   */
  network?: string;
  /** `ruche-server:latest` by default; ensureFleetReady() returns the exact reference. */
  image?: string;
  /** How long to wait for every service to answer, per start (default 120 s). */
  readyTimeoutMs?: number;
}

/** Host ports on 127.0.0.1 published for the server's services; the same after a stop and start. */
export interface PublishedPorts {
  ssh: number;
  http?: number;
  https?: number;
  dnsTcp?: number;
  dnsUdp?: number;
  smtp?: number;
  /** Nothing listens there until Postfix's master.cf enables submission. */
  submission?: number;
  /** Nothing listens there until Postfix's master.cf enables submissions (implicit TLS). */
  submissions?: number;
  imap?: number;
  imaps?: number;
  /** MariaDB, for clients logging in as themselves (root logs in only through the unix socket inside). */
  mariadb?: number;
  /** PostgreSQL, for clients logging in with their password (SCRAM; postgres only through the unix socket inside). */
  postgresql?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's standard input, then closed (file contents without shell quoting). */
  input?: string | Buffer;
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
  timeoutMs?: number;
}

export interface TestServer {
  readonly id: string;
  readonly name: string;
  readonly services: readonly ServerService[];
  /** Refreshed by start(). */
  readonly ports: PublishedPorts;
  /** Runs argv in the server (no shell unless argv starts one) and resolves with its outcome, whatever the exit code. */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * The server's address on a test network, for other containers on that network (a secondary
   * DNS, a mail relay). Never connect to it from the machine: use `ports` on 127.0.0.1.
   */
  addressOn(network: string): Promise<string>;
  /** The entrypoint's output (what `docker logs` shows). */
  logs(): Promise<string>;
  /** Stops the container (SIGTERM: the entrypoint stops each service cleanly). Files survive. */
  stop(): Promise<void>;
  /** Starts a stopped container again: the same services, with new published ports; waits until they answer. */
  start(): Promise<void>;
  /** Removes the container and its files; a removed server is fine. */
  remove(): Promise<void>;
}

/** Container ports each service publishes, and the name each gets in PublishedPorts. */
const servicePorts: Record<'ssh' | ServerService, Array<[containerPort: string, key: keyof PublishedPorts]>> = {
  ssh: [['22/tcp', 'ssh']],
  web: [
    ['80/tcp', 'http'],
    ['443/tcp', 'https'],
  ],
  dns: [
    ['53/tcp', 'dnsTcp'],
    ['53/udp', 'dnsUdp'],
  ],
  mail: [
    ['25/tcp', 'smtp'],
    ['587/tcp', 'submission'],
    ['465/tcp', 'submissions'],
    ['143/tcp', 'imap'],
    ['993/tcp', 'imaps'],
  ],
  mariadb: [['3306/tcp', 'mariadb']],
  postgresql: [['5432/tcp', 'postgresql']],
};

const knownServices = new Set<string>(['web', 'dns', 'mail', 'mariadb', 'postgresql']);
const containerName = /^[a-z0-9][a-z0-9-]{0,62}$/;
const publicKeyLine = /^[a-z0-9@.-]+ [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;
/** The entrypoint writes it once every service answers; /run is a fresh tmpfs at each start. */
const readyMarker = '/run/ruche-server/ready';

/** Creates and starts a test server, and resolves once SSH and every requested service answer. */
export async function startServer(options: StartServerOptions): Promise<TestServer> {
  const name = options.name ?? `ruche-test-${randomBytes(4).toString('hex')}`;
  if (!containerName.test(name)) throw new Error(`Invalid server name ${JSON.stringify(name)} (a host name label: a-z, 0-9, -)`);
  const services = [...new Set(options.services)];
  for (const service of services) {
    if (!knownServices.has(service)) throw new Error(`Unknown service ${JSON.stringify(service)}`);
  }
  const authorizedKey = options.authorizedKey.trim();
  if (!publicKeyLine.test(authorizedKey)) throw new Error('authorizedKey must be one OpenSSH public key line');

  const published = (['ssh', ...services] as const).flatMap((service) => servicePorts[service]);
  const docker = dockerClient();
  const ownNetwork = options.network ? undefined : await createTestNetwork(name);
  const network = options.network ?? ownNetwork!.name;
  // Ports are free when picked, but another test process may pick the same one before Docker
  // binds it: then the container is made again on other ports (a few times at most).
  for (let attempt = 1; ; attempt += 1) {
    let container: Docker.Container;
    try {
      container = await createServerContainer(docker, name, services, published, authorizedKey, network, options.image);
    } catch (error) {
      await ownNetwork?.remove().catch(() => undefined);
      throw error;
    }
    const server = new DockerTestServer(docker, container, name, services, published, options.readyTimeoutMs ?? 120_000, ownNetwork);
    try {
      await server.start();
      return server;
    } catch (error) {
      const message = (error as Error).message;
      if (attempt < 4 && /port is already allocated|address already in use/i.test(message)) {
        try {
          await container.remove({ force: true, v: true });
        } catch (removal) {
          await ownNetwork?.remove().catch(() => undefined);
          throw new Error(`${message}; and the container could not be removed to try other ports: ${(removal as Error).message}`, { cause: error });
        }
        continue;
      }
      const logs = await server.logs().catch(() => '');
      await server.remove().catch(() => undefined);
      throw new Error(`${message}${logs ? `\n--- ${name} logs:\n${logs}` : ''}`, { cause: error });
    }
  }
}

/** The server's container, its ports published on loopback ports free now (fixed, rather than Docker's pick, which changes at every start: a server registered in Ruche keeps its address across a stop and start). */
async function createServerContainer(
  docker: Docker,
  name: string,
  services: ServerService[],
  published: ReadonlyArray<[string, keyof PublishedPorts]>,
  authorizedKey: string,
  network: string,
  image: string | undefined,
): Promise<Docker.Container> {
  // One host port per container port number (53/tcp and 53/udp share theirs).
  const numberOf = (port: string) => port.split('/')[0]!;
  const numbers = [...new Set(published.map(([port]) => numberOf(port)))];
  const free = await freeLoopbackPorts(numbers.length);
  const hostPort = new Map(numbers.map((number, i) => [number, free[i]!]));
  return docker.createContainer({
    name,
    Hostname: name,
    // This checkout's own recipe, not :latest: several checkouts may share one engine.
    Image: image ?? (await ensureFleetReady()).image,
    Cmd: services,
    Env: [`RUCHE_AUTHORIZED_KEY=${authorizedKey}`],
    Labels: testResourceLabels(),
    ExposedPorts: Object.fromEntries(published.map(([port]) => [port, {}])),
    HostConfig: {
      // On the loopback address only.
      PortBindings: Object.fromEntries(published.map(([port]) => [port, [{ HostIp: loopback, HostPort: String(hostPort.get(numberOf(port))) }]])),
      NetworkMode: network,
      // Runtime state (pid files, sockets, the ready marker) starts empty at every start, as on a real host.
      Tmpfs: { '/run': 'rw,nosuid,nodev,mode=755,size=64m' },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [name] } } },
  });
}

/** `count` distinct ports free on the loopback address now (each probe held until all are picked, so none comes twice). */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const probes: net.Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const probe = net.createServer();
      probes.push(probe);
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(0, loopback, resolve);
      });
    }
    return probes.map((probe) => (probe.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  }
}

class DockerTestServer implements TestServer {
  ports: PublishedPorts = { ssh: 0 };

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    readonly name: string,
    readonly services: readonly ServerService[],
    private readonly published: ReadonlyArray<[string, keyof PublishedPorts]>,
    private readonly readyTimeoutMs: number,
    /** The network made for this server alone, removed with it. */
    private readonly ownNetwork?: TestNetwork,
  ) {}

  get id(): string {
    return this.container.id;
  }

  async start(): Promise<void> {
    await this.container.start().catch(ignoreStatus(304)); // 304: already running
    await this.readPorts();
    await this.waitUntilReady(Date.now() + this.readyTimeoutMs);
  }

  async stop(): Promise<void> {
    // 30 s: PostgreSQL and MariaDB checkpoint on the way down.
    await this.container.stop({ t: 30 }).catch(ignoreStatus(304));
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch(ignoreStatus(404, 409));
    await this.ownNetwork?.remove();
  }

  async addressOn(network: string): Promise<string> {
    const info = await this.container.inspect();
    const address = info.NetworkSettings.Networks[network]?.IPAddress;
    if (!address) throw new Error(`${this.name} is not on network ${network}`);
    return address;
  }

  async logs(): Promise<string> {
    const output = await this.container.logs({ stdout: true, stderr: true, tail: 200 });
    return demuxToText(output);
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error('exec needs a command');
    const withInput = options.input !== undefined;
    const exec = await this.container.exec({
      Cmd: argv,
      AttachStdin: withInput,
      AttachStdout: true,
      AttachStderr: true,
      ...(options.user ? { User: options.user } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(options.env ? { Env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`) } : {}),
    });
    const stream = await exec.start({ hijack: true, stdin: withInput });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const collect = (into: Buffer[]) => new PassThrough().on('data', (chunk: Buffer) => into.push(chunk));
    this.docker.modem.demuxStream(stream, collect(stdout), collect(stderr));
    const timeoutMs = options.timeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new Error(`${argv.join(' ')} did not finish within ${timeoutMs} ms in ${this.name}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // Ending our side of the hijacked connection closes the command's standard input.
      if (withInput) stream.end(options.input);
    });
    // The stream can end a moment before the engine records the exit code.
    for (let attempt = 0; ; attempt++) {
      const state = await exec.inspect();
      if (!state.Running && state.ExitCode !== null) {
        return { exitCode: state.ExitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      }
      if (attempt >= 100) throw new Error(`No exit code for ${argv.join(' ')} in ${this.name}`);
      await sleep(20);
    }
  }

  private async readPorts(): Promise<void> {
    const info = await this.container.inspect();
    const ports: Partial<PublishedPorts> = {};
    for (const [containerPort, key] of this.published) {
      const binding = info.NetworkSettings.Ports[containerPort]?.find((candidate) => candidate.HostIp === loopback);
      if (!binding) throw new Error(`${this.name}: ${containerPort} was not published on ${loopback}`);
      ports[key] = Number(binding.HostPort);
    }
    this.ports = ports as PublishedPorts;
  }

  /**
   * Ready when the entrypoint says every service answers inside the container, and the machine
   * reaches the services through their published ports on 127.0.0.1.
   */
  private async waitUntilReady(deadline: number): Promise<void> {
    await this.retryUntil(deadline, 'the entrypoint to report every service ready', async () => {
      const state = (await this.container.inspect()).State;
      if (!state.Running) throw new StoppedError(`${this.name} exited (code ${state.ExitCode}) while starting its services`);
      const marker = await this.exec(['cat', readyMarker]);
      if (marker.exitCode !== 0) throw new Error('not ready yet');
    });
    const ports = this.ports;
    const checks: Array<[string, () => Promise<unknown>]> = [
      ['the SSH banner', () => expectLine(readBanner(ports.ssh), /^SSH-2\.0-/)],
    ];
    if (this.services.includes('web')) checks.push(['an HTTP answer', () => httpGet(ports.http!)]);
    if (this.services.includes('mail')) {
      checks.push(['the SMTP banner', () => expectLine(readBanner(ports.smtp!), /^220 /)]);
      checks.push(['the IMAP banner', () => expectLine(readBanner(ports.imap!), /^\* OK/)]);
    }
    if (this.services.includes('mariadb')) checks.push(['a MariaDB handshake', () => mariadbHandshake(ports.mariadb!)]);
    if (this.services.includes('postgresql')) checks.push(['a PostgreSQL answer', () => postgresAnswers(ports.postgresql!)]);
    if (this.services.includes('dns')) {
      // Any response will do (REFUSED for the root zone): it proves both transports are published.
      checks.push(['a DNS answer over UDP', () => queryDns({ port: ports.dnsUdp!, name: '.', type: 'SOA', timeoutMs: 1_000 })]);
      checks.push(['a DNS answer over TCP', () => queryDns({ port: ports.dnsTcp!, name: '.', type: 'SOA', transport: 'tcp', timeoutMs: 1_000 })]);
    }
    for (const [what, check] of checks) await this.retryUntil(deadline, `${what} on 127.0.0.1`, check);
  }

  private async retryUntil(deadline: number, what: string, attempt: () => Promise<unknown>): Promise<void> {
    for (;;) {
      try {
        await attempt();
        return;
      } catch (error) {
        if (error instanceof StoppedError) throw error;
        if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what}: ${(error as Error).message}`, { cause: error });
        await sleep(100);
      }
    }
  }
}

class StoppedError extends Error {}

async function expectLine(line: Promise<string>, pattern: RegExp): Promise<string> {
  const text = await line;
  if (!pattern.test(text)) throw new Error(`unexpected banner ${JSON.stringify(text)}`);
  return text;
}

/** `docker logs` output without a TTY: frames of [stream, 0, 0, 0, size (4 bytes), payload]. */
function demuxToText(output: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= output.length) {
    const size = output.readUInt32BE(offset + 4);
    parts.push(output.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
