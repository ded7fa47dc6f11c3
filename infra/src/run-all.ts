import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, createLogger } from '@ruche/core';
import { EmbeddedPostgres } from './embedded-postgres.js';

/**
 * `npm start`: the whole system in one process tree. Without DATABASE_URL it starts the
 * embedded PostgreSQL under ./var; then it runs the API (which serves the panel) and a
 * worker as child processes, and on SIGTERM or SIGINT stops them before the database.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { format: config.logFormat }).child({ component: 'launcher' });
  let database: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true });
    database = await EmbeddedPostgres.start({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      log: (line) => logger.debug({ postgres: line }, 'postgres'),
      notice: (message) => logger.info(message),
    });
    databaseUrl = await database.ensureDatabase('ruche');
    logger.info({ port: config.embeddedPgPort, dataDir: path.join(config.dataDir, 'postgres') }, 'embedded PostgreSQL started');
  }

  // With the embedded database comes the embedded "server": a folder under var/servers/local.
  const env = {
    // glibc's malloc raises its mmap threshold as large buffers come and go (up to 32 MiB), and
    // then keeps their memory after they are freed. Fixed at 128 KiB, a freed buffer goes back to
    // the system at once: the API holds 143-146 MB resident right after test/bench's load instead
    // of 148-157 MB, at no cost measured in throughput. Set either variable to choose otherwise.
    MALLOC_MMAP_THRESHOLD_: '131072',
    MALLOC_TRIM_THRESHOLD_: '131072',
    ...process.env,
    DATABASE_URL: databaseUrl,
    RUCHE_DATA_DIR: config.dataDir,
    ...(database ? { RUCHE_LOCAL_SERVER: 'true' } : {}),
  };
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping');
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await database?.stop();
    logger.info('stopped');
    process.exit(exitCode);
  };

  const start = (name: string, script: string) => {
    // An IPC channel lets the child notice if we die without a chance to stop it (kill -9).
    // A small young generation keeps the API under 200 MB resident under load, at no cost
    // in throughput measured by test/bench/api.bench.mjs (227 MB → 155 MB).
    const child = spawn(process.execPath, ['--max-semi-space-size=4', path.join(root, script)], {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ child: name, code, signal }, 'process exited unexpectedly; stopping everything');
      void stopAll(1);
    });
  };

  start('api', 'apps/api/dist/main.js');
  start('worker', 'apps/worker/dist/main.js');
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGINT', () => void stopAll(0));
}

main().catch((error) => {
  process.stderr.write(`ruche: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
