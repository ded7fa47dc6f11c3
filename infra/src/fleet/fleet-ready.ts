import { spawn } from 'node:child_process';
import path from 'node:path';
import { rememberDockerAddress } from './docker-client.js';
import { fleetScriptsDir } from './paths.js';

export interface FleetReady {
  /** The engine's address as ensure-docker.sh printed it: `unix:///…/docker.sock` (or DOCKER_HOST as given). */
  socketPath: string;
  /** The server image, `ruche-server:<recipe-hash>`. */
  image: string;
}

export interface EnsureFleetReadyOptions {
  /** Receives the scripts' progress lines (stderr), e.g. to show a cold image build. */
  log?: (line: string) => void;
}

let ready: Promise<FleetReady> | undefined;

/**
 * Makes sure a Docker engine answers and the server image exists (both may take minutes the first
 * time on a machine: installing docker.io, bootstrapping Debian), once per process.
 */
export function ensureFleetReady(options: EnsureFleetReadyOptions = {}): Promise<FleetReady> {
  ready ??= prepare(options).catch((error: unknown) => {
    ready = undefined; // let a later call try again
    throw error;
  });
  return ready;
}

async function prepare(options: EnsureFleetReadyOptions): Promise<FleetReady> {
  const socketPath = await runFleetScript('ensure-docker.sh', {}, options.log);
  rememberDockerAddress(socketPath);
  const image = await runFleetScript('build-image.sh', { DOCKER_HOST: socketPath }, options.log);
  return { socketPath, image };
}

/** Runs one of infra/fleet/*.sh and resolves with the last line it printed on stdout. */
function runFleetScript(script: string, env: Record<string, string>, log?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(fleetScriptsDir, script)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const stderrTail: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        log?.(line);
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (partial) stderrTail.push(partial);
      const last = stdout.trim().split('\n').pop()?.trim() ?? '';
      if (code === 0 && last) return resolve(last);
      reject(new Error(`infra/fleet/${script} failed (${signal ?? `exit code ${code}`}):\n${stderrTail.join('\n')}`));
    });
  });
}
