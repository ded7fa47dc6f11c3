import { Inject, Injectable } from '@nestjs/common';
import { defineJob, JobHandler, LOGGER, NO_PAYLOAD, type Logger } from '@ruche/core';
import { ServersService } from '@ruche/hosting';
import { DriverRegistry } from '../drivers/driver-registry.js';
import { ConnectionPool } from '../transports/connection-pool.service.js';

export interface StorageMeasurement {
  /** Servers and services measured, and the resources whose use was recorded. */
  measured: number;
  resources: number;
  /** `server/service: why` for each that could not be measured (the others still are). */
  failures: string[];
}

/** Measures what resources take on the servers (every night, before the usage sample). */
export const MEASURE_STORAGE_JOB = defineJob('provisioning:measure-storage', NO_PAYLOAD);

/**
 * Storage meters (web storage now; mail and databases with their drivers) come from the
 * servers: each driver that can `measure` reports what its resources take on disk. Run every
 * night shortly before the usage sampler (hosting:sample-usage, 00:05) records the day.
 */
@Injectable()
export class StorageMeter {
  constructor(
    private readonly servers: ServersService,
    private readonly drivers: DriverRegistry,
    private readonly connections: ConnectionPool,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async measureAll(): Promise<StorageMeasurement> {
    // Paused servers are left alone, as their reconciles are.
    const servers = await this.servers.withStatus(['active', 'draining']);
    const outcome: StorageMeasurement = { measured: 0, resources: 0, failures: [] };
    for (const server of servers) {
      for (const service of server.services) {
        const driver = this.drivers.get(service);
        if (!driver?.measure) continue;
        try {
          const connection = await this.connections.get(server);
          // The embedded default's folder "server" runs nothing: there is nothing to measure.
          if (!connection.runsCommands) continue;
          outcome.resources += await driver.measure(server, connection);
          outcome.measured += 1;
        } catch (error) {
          // One server that cannot be measured today keeps yesterday's figures; the others go on.
          outcome.failures.push(`${server.name}/${service}: ${(error as Error).message}`);
          this.logger.warn({ server: server.name, service, err: error }, 'storage not measured');
        }
      }
    }
    this.logger.info({ ...outcome }, 'storage measured');
    return outcome;
  }

  @JobHandler(MEASURE_STORAGE_JOB, { cron: '40 23 * * *' })
  async nightly(): Promise<void> {
    await this.measureAll();
  }
}
