import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The seams the design draws, checked on the sources: each lib owns its tables (provisioning
 * reaches hosting's through hosting's public API, never in SQL), only core knows the job
 * queue's own schema, and hosting's public API hands out no entity another lib could query.
 */
const root = path.resolve(import.meta.dirname, '../..');

function sources(folder: string): Array<{ file: string; text: string }> {
  const found: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.ts') && !full.endsWith('.spec.ts') && !full.endsWith('.d.ts')) found.push({ file: path.relative(root, full), text: readFileSync(full, 'utf8') });
    }
  };
  if (existsSync(path.join(root, folder))) walk(path.join(root, folder));
  return found;
}

/** Tables and entity classes a lib declares (`@Entity('name') … export class Name`). */
function entitiesOf(lib: string): Array<{ table: string; entity: string }> {
  return sources(`libs/${lib}/src`).flatMap(({ text }) =>
    [...text.matchAll(/@Entity\(\s*['"]([a-z_]+)['"][\s\S]*?export class (\w+)/g)].map((match) => ({ table: match[1]!, entity: match[2]! })),
  );
}

/** SQL in a source that names `table` (FROM, JOIN, UPDATE, INTO, TABLE, DELETE FROM …). */
function namesTable(text: string, table: string): boolean {
  return new RegExp(`\\b(FROM|JOIN|UPDATE|INTO|TABLE|USING)\\s+"?${table}"?\\b`, 'i').test(text);
}

describe('boundaries between libs', () => {
  const hosting = entitiesOf('hosting');

  it('finds what it checks (the scan sees hosting’s tables)', () => {
    expect(hosting.map((entity) => entity.table)).toEqual(expect.arrayContaining(['domains', 'sites', 'mailboxes', 'servers', 'dns_records']));
  });

  it('provisioning names none of hosting’s tables in SQL', () => {
    const offenders = sources('libs/provisioning/src').flatMap(({ file, text }) => hosting.filter(({ table }) => namesTable(text, table)).map(({ table }) => `${file}: ${table}`));
    expect(offenders).toEqual([]);
  });

  it('timekeeping names none of billing’s or hosting’s tables in SQL: billable time reaches invoices through billing’s API', () => {
    const billing = entitiesOf('billing');
    expect(billing.map((entity) => entity.table)).toEqual(expect.arrayContaining(['invoices', 'invoice_lines', 'billable_lines']));
    const offenders = sources('libs/timekeeping/src').flatMap(({ file, text }) => [...billing, ...hosting].filter(({ table }) => namesTable(text, table)).map(({ table }) => `${file}: ${table}`));
    expect(offenders).toEqual([]);
    const imports = sources('libs/timekeeping/src').flatMap(({ file, text }) => [...text.matchAll(/from '([^']+)'/g)].map((match) => `${file}: ${match[1]}`));
    expect(imports.filter((line) => /libs\/(billing|hosting|accounting)|@ruche\/hosting/.test(line))).toEqual([]);
  });

  it('moving names none of hosting’s or provisioning’s tables in SQL: it makes resources through their services', () => {
    const others = [...hosting, ...entitiesOf('provisioning')];
    const offenders = sources('libs/moving/src').flatMap(({ file, text }) => others.filter(({ table }) => namesTable(text, table)).map(({ table }) => `${file}: ${table}`));
    expect(offenders).toEqual([]);
  });

  it('no lib but core names the job queue’s schema', () => {
    const libs = readdirSync(path.join(root, 'libs')).filter((lib) => lib !== 'core');
    const offenders = [...libs.flatMap((lib) => sources(`libs/${lib}/src`)), ...readdirSync(path.join(root, 'apps')).flatMap((app) => sources(`apps/${app}/src`))]
      .filter(({ text }) => /graphile_worker\.|_private_jobs|_private_tasks/.test(text))
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it('hosting exports its entities as types only: no other lib can query them', () => {
    const index = readFileSync(path.join(root, 'libs/hosting/src/index.ts'), 'utf8');
    const valueExports = [...index.matchAll(/export \{([^}]*)\}/g)].flatMap((match) => match[1]!.split(',').map((name) => name.trim().split(/\s+as\s+/)[0]!.trim()));
    expect(valueExports.filter((name) => hosting.some((entity) => entity.entity === name))).toEqual([]);
  });
});
