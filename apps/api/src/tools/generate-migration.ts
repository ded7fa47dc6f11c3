import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataSource } from '@ruche/core';
import { EmbeddedPostgres } from '@ruche/infra';
import { entities, migrations } from '../schema.js';

/**
 * `npm run migration:generate -- <lib> <Name>`: migrates a scratch database, compares it
 * with the entities and writes the difference as a migration of that lib, to review and commit.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

async function main(): Promise<void> {
  const [lib, name] = process.argv.slice(2);
  if (!lib || !name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    process.stderr.write('usage: npm run migration:generate -- <lib> <PascalCaseName>\n');
    process.exit(2);
  }
  const dir = path.join(root, 'libs', lib, 'src', 'migrations');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ruche-migration-'));
  await chmod(scratch, 0o755); // the server runs as the postgres user when we are root
  const server = await EmbeddedPostgres.start({ dataDir: path.join(scratch, 'pg'), port: 20000 + Math.floor(Math.random() * 20000), ephemeral: true });
  try {
    const dataSource = createDataSource({ url: server.url(), entities, migrations, poolSize: 2 });
    await dataSource.initialize();
    await dataSource.runMigrations();
    const log = await dataSource.driver.createSchemaBuilder().log();
    await dataSource.destroy();
    if (log.upQueries.length === 0) {
      process.stdout.write('No schema changes: entities and migrations agree.\n');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const escape = (sql: string) => sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
    const up = log.upQueries.map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`).join('\n');
    const down = log.downQueries.reverse().map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`).join('\n');
    const file = path.join(dir, `${timestamp}-${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
    await writeFile(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${className} implements MigrationInterface {\n  async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
    );
    await writeIndex(dir, lib);
    process.stdout.write(`Wrote ${path.relative(root, file)}: review it, then commit it.\n`);
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Rewrites the lib's migrations/index.ts to list every migration file, oldest first. */
async function writeIndex(dir: string, lib: string): Promise<void> {
  const files = (await readdir(dir)).filter((file) => /^\d{13}-.*\.ts$/.test(file)).sort();
  const imports: string[] = [];
  const names: string[] = [];
  for (const file of files) {
    const source = await readFile(path.join(dir, file), 'utf8');
    const match = /export class (\w+)/.exec(source);
    if (!match) continue;
    imports.push(`import { ${match[1]} } from './${file.replace(/\.ts$/, '.js')}';`);
    names.push(match[1]!);
  }
  const exportName = `${lib}Migrations`;
  await writeFile(path.join(dir, 'index.ts'), `${imports.join('\n')}\n\nexport const ${exportName}: Function[] = [${names.join(', ')}];\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
