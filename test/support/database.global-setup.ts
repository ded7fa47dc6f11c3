import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDataSource, migrateDatabase } from '@ruche/core';
import { EmbeddedPostgres } from '@ruche/infra';
import { entities, migrations } from '../../apps/api/src/schema.js';
import { freePort } from './ports.js';

export const TEMPLATE_DATABASE = 'ruche_template';

/**
 * One real PostgreSQL for the whole integration run, with a migrated template database.
 * Each test file clones the template (CREATE DATABASE … TEMPLATE), so files run in parallel.
 */
export default async function setup(project: TestProject) {
  const base = path.resolve(import.meta.dirname, '../../var/test');
  await mkdir(base, { recursive: true });
  await chmod(base, 0o755);
  const scratch = await mkdtemp(path.join(base, 'pg-'));
  await chmod(scratch, 0o755);
  const server = await EmbeddedPostgres.start({ dataDir: path.join(scratch, 'data'), port: await freePort(), ephemeral: true });
  const templateUrl = await server.ensureDatabase(TEMPLATE_DATABASE);
  const dataSource = createDataSource({ url: templateUrl, entities, migrations, poolSize: 2 });
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  await dataSource.destroy();
  project.provide('postgresUrl', server.url());
  return async () => {
    await server.destroy();
    await rm(scratch, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
