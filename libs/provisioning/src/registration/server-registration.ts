import { Injectable } from '@nestjs/common';
import { DomainError } from '@ruche/core';
import type { Server, ServerRegistrationCheck, Service } from '@ruche/hosting';
import { TransportError } from '../transports/connection.js';
import { HostKeyMismatch } from '../transports/connection.js';
import { ConnectionPool } from '../transports/connection-pool.service.js';
import type { ServerConnection } from '../transports/connection.js';

/** The program each service needs on a server; checked at registration. */
const SERVICE_PROGRAMS: Record<Service, string[]> = {
  web: ['nginx'],
  dns: ['knotc'],
  mail: ['postconf', 'doveadm'],
  mariadb: ['mariadb'],
  postgresql: ['psql'],
};

/**
 * What registering a server does: connect once, pin the host key (the given fingerprint must
 * match; without one, the key seen first is pinned and shown), and check that each declared
 * service is installed.
 */
@Injectable()
export class ServerRegistration implements ServerRegistrationCheck {
  constructor(private readonly connections: ConnectionPool) {}

  async verify(server: Server): Promise<Partial<Pick<Server, 'hostKeyFingerprint'>>> {
    if (server.transport === 'local') return {};
    let connection: ServerConnection;
    let hostKeyFingerprint = server.hostKeyFingerprint;
    try {
      if (server.transport === 'ssh') {
        const ssh = await this.connections.openSsh(server);
        hostKeyFingerprint = ssh.hostKey;
        connection = ssh;
      } else {
        connection = await this.connections.get(server);
      }
    } catch (error) {
      if (error instanceof HostKeyMismatch) throw new DomainError('host_key_mismatch', 422, { message: error.message });
      if (error instanceof TransportError) throw new DomainError('server_unreachable', 422, { message: error.message });
      throw error;
    }
    try {
      const missing: string[] = [];
      for (const service of server.services) {
        for (const program of SERVICE_PROGRAMS[service]) {
          const found = await connection.run(['sh', '-c', 'command -v -- "$1"', 'ruche-check', program], { allowFailure: true });
          if (found.exitCode !== 0) missing.push(`${service} (${program})`);
        }
      }
      if (missing.length > 0) throw new DomainError('service_missing', 422, { services: missing.join(', ') });
    } catch (error) {
      if (error instanceof TransportError) throw new DomainError('server_unreachable', 422, { message: error.message });
      throw error;
    } finally {
      if (server.transport === 'ssh') await connection.close();
    }
    return { hostKeyFingerprint };
  }
}
