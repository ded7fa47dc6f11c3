import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_KINDS } from '@ruche/hosting';
import { createDataSource, databaseIsMigrated, migrateDatabase, MIGRATION_LOCK, migrationInProgress, pendingSchemaChanges } from '@ruche/core';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { entities, migrations } from '../../apps/api/src/schema.js';
import { createTestDatabase } from '../support/test-database.js';

let dataSource: DataSource;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  dataSource = createDataSource({ url: database.url, entities, migrations, poolSize: 2 });
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await drop?.();
});

describe('database schema', () => {
  it('matches the entities exactly: migrations and entities have not drifted', async () => {
    expect(await pendingSchemaChanges(dataSource)).toEqual([]);
  });

  it('has every check constraint an entity declares, as the migrations wrote it (TypeORM compares them by name only)', async () => {
    const checks = dataSource.entityMetadatas.flatMap((metadata) => metadata.checks.map((check) => ({ table: metadata.tableName, name: check.name, expression: check.expression! })));
    expect(checks.map((check) => check.name)).toContain('server_events_kind_check');
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      // PostgreSQL reads the entity's expression on a copy of the table and prints it back the
      // way it prints the migrated one. (Names and expressions come from our own entities.)
      const definition = (table: string, name: string) =>
        runner.query(`SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.conname = $2`, [table, name]).then((rows: Array<{ def: string }>) => rows[0]?.def ?? null);
      for (const { table, name, expression } of checks) {
        await runner.query(`CREATE TEMP TABLE ruche_check_probe (LIKE "${table}")`);
        await runner.query(`ALTER TABLE ruche_check_probe ADD CONSTRAINT ruche_check_probe_check CHECK (${expression})`);
        expect({ table, name, definition: await definition(`"${table}"`, name) }).toEqual({ table, name, definition: await definition('ruche_check_probe', 'ruche_check_probe_check') });
        await runner.query('DROP TABLE ruche_check_probe');
      }
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('is fully migrated, queue included', async () => {
    expect(await databaseIsMigrated(dataSource)).toBe(true);
  });

  it('leaves room on resource tables for phase changes in place (HOT updates)', async () => {
    // Every kind of resource, so that a new kind's table cannot be forgotten.
    const tables = Object.values(RESOURCE_KINDS).map((kind) => kind.table).sort();
    const rows = await dataSource.query(`SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1) AND relkind = 'r' ORDER BY relname`, [tables]);
    expect(rows).toEqual(tables.map((relname) => ({ relname, reloptions: ['fillfactor=80'] })));
  });

  it('has no floating-point column anywhere', async () => {
    const floats = await dataSource.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('real', 'double precision')`,
    );
    expect(floats).toEqual([]);
  });

  it('is asked about without being touched, and tells workers when a process is migrating it', async () => {
    const fresh = await createTestDatabase({ empty: true });
    const source = createDataSource({ url: fresh.url, entities, migrations, poolSize: 2 });
    await source.initialize();
    try {
      // Workers ask while the API migrates: asking must not create the migrations table (it
      // raced the API's CREATE TABLE on a fresh database).
      expect(await databaseIsMigrated(source)).toBe(false);
      expect((await source.query(`SELECT to_regclass('typeorm_migrations') AS t`))[0].t).toBeNull();

      await migrateDatabase(source);
      expect(await databaseIsMigrated(source)).toBe(true);

      // A database restored from before the newest migration is not ready for this code.
      const [newest] = await source.query(`SELECT id, timestamp, name FROM typeorm_migrations ORDER BY timestamp DESC LIMIT 1`);
      await source.query(`DELETE FROM typeorm_migrations WHERE id = $1`, [newest.id]);
      expect(await databaseIsMigrated(source)).toBe(false);
      await source.query(`INSERT INTO typeorm_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [newest.id, newest.timestamp, newest.name]);
      expect(await databaseIsMigrated(source)).toBe(true);

      // Someone holding the migration lock (a newer version migrating): workers wait for it.
      expect(await migrationInProgress(source)).toBe(false);
      const migrator = new pg.Client({ connectionString: fresh.url });
      await migrator.connect();
      try {
        await migrator.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        expect(await migrationInProgress(source)).toBe(true);
        await migrator.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        expect(await migrationInProgress(source)).toBe(false);
      } finally {
        await migrator.end();
      }
    } finally {
      await source.destroy();
      await fresh.drop();
    }
  });
});
