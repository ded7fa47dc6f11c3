import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, databaseIsMigrated, pendingSchemaChanges } from '@ruche/core';
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

  it('is fully migrated, queue included', async () => {
    expect(await databaseIsMigrated(dataSource)).toBe(true);
  });

  it('has no floating-point column anywhere', async () => {
    const floats = await dataSource.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('real', 'double precision')`,
    );
    expect(floats).toEqual([]);
  });
});
