import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { privateDockerSocket } from './paths.js';

const systemDockerSocket = '/var/run/docker.sock';

/** The engine ensureFleetReady() settled on in this process; it wins over the guess below. */
let readyAddress: string | undefined;

export function rememberDockerAddress(address: string): void {
  readyAddress = address;
}

/**
 * The engine's address, in the order ensure-docker.sh looks: DOCKER_HOST, the project's private
 * engine ($ROOT/var/docker/docker.sock) when its socket exists, then the system engine.
 */
export function defaultDockerAddress(): string {
  if (readyAddress) return readyAddress;
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  if (existsSync(privateDockerSocket)) return `unix://${privateDockerSocket}`;
  return `unix://${systemDockerSocket}`;
}

/** A dockerode client for `address` (a `unix://` or `tcp://` engine address; see defaultDockerAddress). */
export function dockerClient(address: string = defaultDockerAddress()): Docker {
  if (address.startsWith('unix://')) return new Docker({ socketPath: address.slice('unix://'.length) });
  // docker-modem reads DOCKER_HOST with its TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
  if (address === process.env.DOCKER_HOST) return new Docker();
  const url = new URL(address.replace(/^tcp:/, 'http:'));
  return new Docker({ protocol: 'http', host: url.hostname, port: Number(url.port || 2375) });
}
