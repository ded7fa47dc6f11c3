import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { createLogger } from '@ruche/core';
import { loadSshIdentity, PROVISIONING_SETTINGS } from '@ruche/provisioning';
import { defaultDockerAddress, ensureFleetReady, startServer, type ServerService, type TestServer } from '@ruche/infra/fleet';
import { expect } from 'vitest';
import { createWorker, stopWorker } from '../../apps/worker/src/worker.js';
import { startTestApi, type Caller, type TestApi } from './test-api.js';

export interface FleetHarness {
  api: TestApi;
  admin: Caller;
  server: TestServer;
  /** The server's id in Ruche. */
  serverId: string;
  worker: INestApplicationContext | null;
  startWorker(extra?: DynamicModule[]): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

/**
 * The production path, for real: Ruche's API and a worker in this process, a Debian server
 * container reached over SSH through its port published on 127.0.0.1, registered through the API.
 */
export async function startFleetHarness(options: {
  services: ServerService[];
  env?: Record<string, string>;
  startWorker?: boolean;
  /** Reach the server as this sudoer instead of root (root's key is then taken away). */
  sshUser?: string;
}): Promise<FleetHarness> {
  await ensureFleetReady();
  // The docker transport reaches the engine the fleet runs on, as Ruche would in production.
  process.env.DOCKER_HOST ??= defaultDockerAddress();
  const api = await startTestApi({
    RUCHE_WORKER_METRICS_PORT: '0',
    RUCHE_DNS_NAMESERVERS: 'ns1.coop.example,ns2.coop.example',
    RUCHE_DNS_HOSTMASTER: 'hostmaster.coop.example',
    RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: '8',
    ...options.env,
  });
  const identity = loadSshIdentity(PROVISIONING_SETTINGS.of(api.config));
  let server: TestServer | undefined;
  let serverId: string;
  let admin: Caller;
  try {
    server = await startServer({ services: options.services, authorizedKey: identity.publicKey });
    if (options.sshUser && options.sshUser !== 'root') await makeSudoer(server, options.sshUser);
    admin = await api.admin();
    const registered = await admin.post('/api/v1/servers', {
      name: server.name,
      address: '127.0.0.1',
      port: server.ports.ssh,
      transport: 'ssh',
      services: options.services,
      publicIpv4: '192.0.2.10',
      publicHostname: 'mail.coop.example',
      ...(options.sshUser ? { sshUser: options.sshUser } : {}),
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    serverId = registered.body.id;
  } catch (error) {
    // Nothing left behind when setting up fails half-way.
    await server?.remove().catch(() => undefined);
    await api.close().catch(() => undefined);
    throw error;
  }
  const harness: FleetHarness = {
    api,
    admin,
    server,
    serverId,
    worker: null,
    async startWorker(extra = []) {
      harness.worker = await createWorker(api.config, createLogger(process.env.RUCHE_TEST_LOG_LEVEL ?? 'silent'), api.config.databaseUrl!, extra);
      return harness.worker;
    },
    async close() {
      if (harness.worker) await stopWorker(harness.worker).catch(() => undefined);
      await api.close().catch(() => undefined);
      await server.remove().catch(() => undefined);
    },
  };
  if (options.startWorker !== false) await harness.startWorker();
  return harness;
}

/**
 * The other way a server lets Ruche in: an ordinary account with passwordless sudo holds
 * Ruche's key, and root's is removed, so nothing can go through root by mistake.
 */
async function makeSudoer(server: TestServer, user: string): Promise<void> {
  const script = `set -e
useradd --create-home --shell /bin/sh "$1"
install -d -m 700 -o "$1" -g "$1" "/home/$1/.ssh"
install -m 600 -o "$1" -g "$1" /root/.ssh/authorized_keys "/home/$1/.ssh/authorized_keys"
printf '%s ALL=(ALL) NOPASSWD: ALL\\n' "$1" > "/etc/sudoers.d/$1"
chmod 440 "/etc/sudoers.d/$1"
rm /root/.ssh/authorized_keys`;
  const result = await server.exec(['sh', '-c', script, 'make-sudoer', user]);
  expect(result.exitCode, result.stderr).toBe(0);
}

/** Polls until `probe` answers something truthy. */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Worker processes of their own (the built apps/worker), on the harness's database, for tests
 * that kill one mid-job; `killAll` ends those still running.
 */
export function workerProcesses(fleet: FleetHarness): { spawn(): ChildProcess; killAll(): void } {
  const root = path.resolve(import.meta.dirname, '../..');
  const children: ChildProcess[] = [];
  return {
    spawn() {
      const child = spawn(process.execPath, [path.join(root, 'apps/worker/dist/main.js')], {
        env: { ...process.env, DATABASE_URL: fleet.api.config.databaseUrl, RUCHE_DATA_DIR: fleet.api.config.dataDir, RUCHE_WORKER_METRICS_PORT: '0', RUCHE_LOG_LEVEL: process.env.RUCHE_TEST_LOG_LEVEL ?? 'warn' },
        stdio: process.env.RUCHE_TEST_LOG_LEVEL ? 'inherit' : 'ignore',
      });
      children.push(child);
      return child;
    },
    killAll() {
      for (const child of children.splice(0)) child.kill('SIGKILL');
    },
  };
}
