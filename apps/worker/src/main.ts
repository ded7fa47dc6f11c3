import http from 'node:http';
import { ConfigError, createDataSource, createLogger, databaseIsMigrated, loadConfig, Metrics, migrationInProgress, requireDatabaseUrl, startIdleCollector } from '@ruche/core';
import { createWorker, stopWorker } from './worker.js';
import { featureSettings } from './features.js';

/** Waits for the API (or `ruche migrate`) to migrate: workers never change the schema. */
async function waitForMigrations(databaseUrl: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  const { entities, migrations } = await import('./schema.js');
  const dataSource = createDataSource({ url: databaseUrl, entities, migrations, poolSize: 1, applicationName: 'ruche-worker-wait' });
  await dataSource.initialize();
  try {
    for (let attempt = 0; (await migrationInProgress(dataSource)) || !(await databaseIsMigrated(dataSource)); attempt++) {
      if (attempt % 20 === 0) logger.info('waiting for database migrations');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.cwd(), featureSettings);
  const databaseUrl = requireDatabaseUrl(config);
  const logger = createLogger(config.logLevel, { format: config.logFormat }).child({ component: 'worker' });
  await waitForMigrations(databaseUrl, logger);
  const app = await createWorker(config, logger, databaseUrl);
  // A 10,000-zone render's garbage goes back to the system once the worker is quiet.
  startIdleCollector(logger);
  // Prometheus scrapes each worker here (reconcile durations and failures live in the worker).
  const registry = app.get(Metrics).registry;
  const metrics = config.workerMetricsPort
    ? http
        .createServer((request, response) => {
          if (request.url !== '/metrics') return void response.writeHead(404).end();
          void registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
        })
        .listen(config.workerMetricsPort, config.host, () => logger.info({ port: config.workerMetricsPort }, 'worker metrics listening'))
        .on('error', (error) => logger.warn({ err: error }, 'worker metrics server failed'))
    : null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    logger.info('worker stopping: finishing running jobs');
    metrics?.close();
    await stopWorker(app);
    logger.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.once('disconnect', () => void stop());
}

main().catch((error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `ruche-worker: ${(error as Error).stack ?? error}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
