import { Inject, Injectable } from '@nestjs/common';
import { DesiredStateReader, type Engine, type ResourceState, type Server } from '@ruche/hosting';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../../provisioning.settings.js';
import { ConnectionPool } from '../../transports/connection-pool.service.js';
import type { DatabaseEngineDriver } from './database-driver.js';
import { archivePath } from './database-state.js';
import { MariadbDriver } from './mariadb.driver.js';
import { PostgresqlDriver } from './postgresql.driver.js';

/**
 * What moving an organisation's databases to another server asks of the engine on the old
 * one, through the same drivers and plans as a deletion (so only what Ruche made there is
 * touched): let the users go first (their sessions end: nothing changes the data from then
 * on), dump each database (the copy the new server is filled from, and the old copy's
 * archive), and once the new server serves them, let the databases go without another dump.
 *
 * The caller runs this in the old server's reconcile queue for the engine, so no reconcile
 * there puts a user back between the first step and the switch of desired state.
 */
@Injectable()
export class DatabaseHandover {
  private readonly drivers: Record<Engine, DatabaseEngineDriver<unknown>>;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly desired: DesiredStateReader,
    @Inject(PROVISIONING_SETTINGS.token) private readonly settings: ProvisioningSettings,
    mariadb: MariadbDriver,
    postgresql: PostgresqlDriver,
  ) {
    this.drivers = { mariadb, postgresql } as Record<Engine, DatabaseEngineDriver<unknown>>;
  }

  /**
   * Drops from `server`'s engine the users and databases among `ids` that Ruche made there
   * (sessions ended first), reading them from desired state where they are listed now
   * (`listedOn`: the old server before the switch, the new one after). No dump: the move made it.
   */
  async letGo(server: Server, engine: Engine, listedOn: string, ids: ReadonlySet<string>): Promise<void> {
    const driver = this.drivers[engine];
    const connection = await this.pool.get(server);
    if (!connection.runsCommands) return;
    const leaving = <T extends { state: ResourceState }>(items: T[]): T[] =>
      items.filter((item) => ids.has(item.state.id)).map((item) => ({ ...item, state: { ...item.state, phase: 'deleting' as const } }));
    const databases = leaving(await this.desired.databases(listedOn, engine)).map((database) => ({ ...database, restoreFrom: null }));
    const users = leaving(await this.desired.databaseUsers(listedOn, engine));
    if (databases.length === 0 && users.length === 0) return;
    const observed = await driver.observe(connection);
    const plan = driver.plan({ databases, users, archiveDir: this.settings.archiveDir }, observed, [...databases, ...users].map((item) => item.state));
    const changes = plan.changes
      .map((change) => ({ ...change, steps: change.steps.filter((step) => !('archive' in step)) }))
      .filter((change) => change.steps.length > 0);
    const results = await driver.apply(connection, changes);
    const refused = [...results.entries()].flatMap(([id, result]) => (result.ok ? [] : [`${id} (${result.message})`]));
    if (refused.length > 0) throw new Error(`${engine} on ${server.name} did not let go of ${refused.join(', ')}`);
  }

  /** Dumps one database on `server` for a move, beside its engine's archives: the file's path and size. */
  async dumpForMove(server: Server, engine: Engine, database: { id: string; name: string }, moveId: string): Promise<{ path: string; sizeBytes: number }> {
    const path = archivePath(this.settings.archiveDir, engine, database.name, `${database.id}-move-${moveId.replace(/-/g, '')}`);
    const dumped = await this.drivers[engine].dumpTo(await this.pool.get(server), database.name, path);
    if ('failed' in dumped) throw new Error(`${database.name} could not be dumped on ${server.name}: ${dumped.failed}`);
    return { path, sizeBytes: dumped.size };
  }
}
