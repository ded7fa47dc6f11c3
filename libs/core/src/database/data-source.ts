import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DataSourceOptions {
  url: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: Function[];
  poolSize?: number;
  applicationName?: string;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: [...options.migrations].sort((a, b) => migrationTimestamp(a) - migrationTimestamp(b)),
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'ruche',
    extra: { connectionTimeoutMillis: 10_000 },
  });
}

/** Migration classes are named `<Name><13-digit timestamp>`, TypeORM's convention. */
function migrationTimestamp(migration: Function): number {
  const match = /(\d{13})$/.exec(migration.name);
  if (!match) throw new Error(`Migration class ${migration.name} does not end with a 13-digit timestamp`);
  return Number(match[1]);
}
