import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { CoreModule, QueueWorker, type Config, type Logger } from '@ruche/core';
import { features } from './features.js';

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
      }),
      ...features.map((feature) => feature.module),
      ...extra,
    ],
  };
  const app = await NestFactory.createApplicationContext(module, { logger: false });
  await app.get(QueueWorker).start(databaseUrl);
  return app;
}

/** Finishes running jobs (QueueWorker stops before the database closes), then closes everything. */
export async function stopWorker(app: INestApplicationContext): Promise<void> {
  await app.close();
}
