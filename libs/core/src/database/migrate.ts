import type { DataSource } from 'typeorm';
import pg from 'pg';
import { Logger as QueueLogger, runMigrations as runQueueMigrations } from 'graphile-worker';

// Any fixed number works; it only has to be the same in every Ruche process.
export const MIGRATION_LOCK = 72_616_368;
const silentQueueLogger = new QueueLogger(() => () => undefined);

/**
 * Applies Ruche's migrations and the job queue's schema. Several processes may start at
 * once (API, workers): an advisory lock lets one migrate while the others wait.
 */
export async function migrateDatabase(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const pool = new pg.Pool({ ...connectionOptions(dataSource), max: 1 });
    try {
      await runQueueMigrations({ pgPool: pool, logger: silentQueueLogger });
    } finally {
      await pool.end();
    }
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * True when every committed migration has been applied and the queue schema exists. Readiness
 * probes call it every few seconds: two small queries, not TypeORM's showMigrations() (which
 * builds every migration's executor on each call).
 */
export async function databaseIsMigrated(dataSource: DataSource): Promise<boolean> {
  // Look before asking: showMigrations() used to create the migrations table when it was
  // missing, which raced the API's own CREATE TABLE on a fresh database (and failed its start).
  const table = (dataSource.options as { migrationsTableName?: string }).migrationsTableName ?? 'migrations';
  const [present] = await dataSource.query(
    `SELECT to_regclass($1) IS NOT NULL AS migrations, to_regclass('graphile_worker._private_jobs') IS NOT NULL AS queue`,
    [table],
  );
  if (present?.migrations !== true || present?.queue !== true) return false;
  const names = dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
  const [applied] = await dataSource.query(`SELECT count(DISTINCT name)::int AS count FROM ${dataSource.driver.escape(table)} WHERE name = ANY($1)`, [names]);
  return applied?.count === new Set(names).size;
}

/**
 * True while a process holds the migration lock (an API starting, a newer version migrating).
 * Workers wait for it to end before they start; readiness does not depend on it. (The
 * transaction-level lock of this one statement is released when it ends.)
 */
export async function migrationInProgress(dataSource: DataSource): Promise<boolean> {
  const [idle] = await dataSource.query(`SELECT pg_try_advisory_xact_lock($1) AS free`, [MIGRATION_LOCK]);
  return idle?.free !== true;
}

export function connectionOptions(dataSource: DataSource): pg.PoolConfig {
  const options = dataSource.options as { url?: string };
  return { connectionString: options.url };
}

/** SQL that would bring the database in line with the entities: empty when migrations and entities agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}
