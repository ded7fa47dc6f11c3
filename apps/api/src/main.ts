import { ConfigError, createLogger, loadConfig, requireDatabaseUrl, startIdleCollector } from '@ruche/core';
import { createApi, prepareDatabase } from './api.js';
import { featureSettings } from './features.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.cwd(), featureSettings);
  const databaseUrl = requireDatabaseUrl(config);
  const logger = createLogger(config.logLevel, { format: config.logFormat }).child({ component: 'api' });
  const seeded = await prepareDatabase(config, databaseUrl);
  if (seeded?.password) {
    // Printed once, on purpose outside the JSON log: the log never holds secrets.
    process.stdout.write(
      `\n  First administrator: ${seeded.email}\n  Password (shown once): ${seeded.password}\n  Sign in at ${config.publicUrl}/ and change it.\n\n`,
    );
  }
  const app = await createApi(config, logger, databaseUrl);
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: config.publicUrl }, 'API listening');
  // A burst's garbage goes back to the system once the API is quiet, not minutes later.
  startIdleCollector(logger);
  // Started by the launcher: if it dies (kill -9), stop cleanly instead of lingering.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `ruche-api: ${(error as Error).stack ?? error}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
