import 'reflect-metadata';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The API's module tree: core plus every feature lib. */
export function apiModule(config: Config, logger: Logger, databaseUrl: string) {
  return {
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
}

/** The panel's build beside the API's (apps/panel/dist), unless RUCHE_PANEL_DIR says where. */
export const defaultPanelDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../panel/dist');

/** The API application, on Fastify, serving the panel at `/`. */
export function createApi(config: Config, logger: Logger, databaseUrl: string): Promise<NestFastifyApplication> {
  return createHttpApplication(apiModule(config, logger, databaseUrl), config, logger, { panelDir: config.panelDir ?? defaultPanelDir });
}
