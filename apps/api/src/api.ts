import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  CoreModule,
  createDataSource,
  createHttpApplication,
  migrateDatabase,
  seedFirstAdministrator,
  type Config,
  type Logger,
} from '@ruche/core';
import { HOSTING_SETTINGS, seedLocalServer } from '@ruche/hosting';
import { features, featureSettings } from './features.js';
import { entities, migrations } from './schema.js';

/** Applies pending migrations and seeds an empty database; answers the generated admin password, if any. */
export async function prepareDatabase(config: Config, databaseUrl: string) {
  const dataSource = createDataSource({ url: databaseUrl, entities, migrations, poolSize: 2, applicationName: 'ruche-migrate' });
  await dataSource.initialize();
  try {
    await migrateDatabase(dataSource);
    if (HOSTING_SETTINGS.of(config).localServer) await seedLocalServer(dataSource);
    return await seedFirstAdministrator(dataSource, config);
  } finally {
    await dataSource.destroy();
  }
}

/** The API application: core plus every feature lib, on Fastify. */
export function createApi(config: Config, logger: Logger, databaseUrl: string): Promise<NestFastifyApplication> {
  const module = {
    module: class ApiModule {},
    imports: [
      CoreModule.forRoot({
        config,
        logger,
        databaseUrl,
        role: 'api',
        entities: features.flatMap((feature) => feature.entities),
        migrations: features.flatMap((feature) => feature.migrations),
        settings: featureSettings,
      }),
      ...features.map((feature) => feature.module),
    ],
  };
  return createHttpApplication(module, config, logger);
}
