import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@ruche/core';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../provisioning.settings.js';
import type { Server } from '@ruche/hosting';
import { loadSshIdentity, type SshIdentity } from '../ssh/ssh-identity.js';
import type { ServerConnection } from './connection.js';
import { LocalConnection } from './local-connection.js';
import type { SshConnection } from './ssh-connection.js';

/**
 * Connections to servers, one SSH connection per server kept open and shared by the jobs
 * for that server (no per-resource or per-file connections).
 */
@Injectable()
export class ConnectionPool implements OnApplicationShutdown {
  private readonly ssh = new Map<string, { key: string; connection: Promise<SshConnection> }>();
  private identityCache: SshIdentity | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PROVISIONING_SETTINGS.token) private readonly settings: ProvisioningSettings,
  ) {}

  get identity(): SshIdentity {
    this.identityCache ??= loadSshIdentity(this.settings);
    return this.identityCache;
  }

  async get(server: Server): Promise<ServerConnection> {
    switch (server.transport) {
      case 'local':
        return new LocalConnection(server, path.join(this.config.dataDir, 'servers', server.name));
      case 'docker': {
        // Loaded on first use: dockerode (and the gRPC stack it brings) weighs on every process that never needs it.
        const { DockerConnection } = await import('./docker-connection.js');
        return new DockerConnection(server);
      }
      case 'ssh':
        return this.sshConnection(server);
    }
  }

  private async sshConnection(server: Server): Promise<SshConnection> {
    // A changed address, port or pinned key means a new connection.
    const key = `${server.address}:${server.port}:${server.sshUser}:${server.hostKeyFingerprint}`;
    const cached = this.ssh.get(server.id);
    if (cached && cached.key === key) {
      const connection = await cached.connection.catch(() => null);
      if (connection?.connected) return connection;
    }
    if (cached) void cached.connection.then((connection) => connection.close()).catch(() => undefined);
    const connection = this.openSsh(server);
    this.ssh.set(server.id, { key, connection });
    connection.catch(() => this.ssh.delete(server.id));
    return connection;
  }

  /** A new SSH connection outside the pool (registration checks a server before it is saved). */
  async openSsh(server: Server): Promise<SshConnection> {
    const { SshConnection } = await import('./ssh-connection.js');
    return SshConnection.open(server, { identity: this.identity, connectTimeoutMs: this.settings.sshConnectTimeoutMs });
  }

  /** Drops a server's connection after a failure, so the next attempt starts afresh. */
  async discard(server: Server): Promise<void> {
    const cached = this.ssh.get(server.id);
    this.ssh.delete(server.id);
    await cached?.connection.then((connection) => connection.close()).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.ssh.keys()].map((id) => this.discard({ id } as Server)));
  }
}
