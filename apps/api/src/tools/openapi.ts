import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { controllersOf, createLogger, loadConfig, openApiDocument, routesOf } from '@ruche/core';
import { apiModule } from '../api.js';
import { featureSettings } from '../features.js';

/**
 * `node apps/api/dist/tools/openapi.js <file>`: writes the API's OpenAPI document without
 * starting anything (no database): the routes are read from the controllers' metadata, as
 * the running API does. The panel's build generates its typed client from it.
 */
async function main(): Promise<void> {
  const [target] = process.argv.slice(2);
  if (!target) {
    process.stderr.write('usage: node apps/api/dist/tools/openapi.js <output.json>\n');
    process.exit(2);
  }
  // Only the module tree is built, never instantiated: the config and URL are placeholders.
  const module = apiModule(loadConfig({}, process.cwd(), featureSettings), createLogger('silent'), 'postgres://unused');
  const document = openApiDocument(routesOf(controllersOf(module)));
  await mkdir(path.dirname(path.resolve(target)), { recursive: true });
  await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
