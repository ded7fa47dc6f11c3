import { Inject, Injectable } from '@nestjs/common';
import { defineJob, JobHandler, LOGGER, NO_PAYLOAD, type Logger } from '@ruche/core';
import { ArchivesService, ServersService } from '@ruche/hosting';
import { ConnectionPool } from '../transports/connection-pool.service.js';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../provisioning.settings.js';

/** Removes the archives whose time is up, every night. */
export const PURGE_ARCHIVES_JOB = defineJob('provisioning:purge-archives', NO_PAYLOAD);

/**
 * The daily purge of expired archives: each file goes from its server (only under the archive
 * folder: a path elsewhere is never removed), then the archive is marked purged. A server that
 * cannot be reached keeps its archives until the next night.
 */
@Injectable()
export class ArchivePurge {
  constructor(
    private readonly archives: ArchivesService,
    private readonly servers: ServersService,
    private readonly connections: ConnectionPool,
    @Inject(PROVISIONING_SETTINGS.token) private readonly settings: ProvisioningSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async purgeExpired(): Promise<{ purged: number; failures: string[] }> {
    const outcome = { purged: 0, failures: [] as string[] };
    for (const archive of await this.archives.expired()) {
      try {
        if (!archive.path.startsWith(`${this.settings.archiveDir}/`)) throw new Error(`${archive.path} is not under ${this.settings.archiveDir}`);
        const server = await this.servers.byId(archive.serverId);
        if (server) {
          const connection = await this.connections.get(server);
          await connection.removeTrees([archive.path]);
        }
        await this.archives.purged(archive.id);
        outcome.purged++;
      } catch (error) {
        outcome.failures.push(`${archive.id}: ${(error as Error).message}`);
        this.logger.warn({ archive: archive.id, err: error }, 'archive not purged');
      }
    }
    return outcome;
  }

  @JobHandler(PURGE_ARCHIVES_JOB, { cron: '30 3 * * *' })
  async nightly(): Promise<void> {
    await this.purgeExpired();
  }
}
