import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { CoreModule, QueueWorker, type Config, type Logger } from '@ruche/core';
import { features, featureSettings } from './features.js';

/** The worker: core plus every feature lib, consuming the job queue. No HTTP. */
export async function createWorker(
  config: Config,
  logger: Logger,
  databaseUrl: string,
  /** Extra modules, for tests that plug a fault in. */
  extra: DynamicModule[] = [],
): Promise<INestApplicationContext> {
  const module = {
    module: class WorkerModule {},
    imports: [
      CoreModule.forRoot({
        config,
        logger,
        databaseUrl,
        role: 'worker',
        entities: features.flatMap((feature) => feature.entities),
        migrations: features.flatMap((feature) => feature.migrations),
        settings: featureSettings,
      }),
      ...features.map((feature) => feature.module),
      ...extra,
    ],
  };
  // abortOnError false: a module that cannot be built is an error the caller sees, not an abort.
  const app = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
  await app.get(QueueWorker).start(databaseUrl);
  return app;
}

/** Finishes running jobs (QueueWorker stops before the database closes), then closes everything. */
export async function stopWorker(app: INestApplicationContext): Promise<void> {
  await app.close();
}
