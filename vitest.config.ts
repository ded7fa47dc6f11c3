import os from 'node:os';
import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = import.meta.dirname;

/**
 * The longest files, longest first (measured one at a time on two cores: 220, 105, 80, 60, 55,
 * 50… seconds): they start at once, so that the two workers finish together instead of one
 * running the last long file alone. Vitest's own order runs the projects one after the other
 * and, without a cache (a new clone), the largest files first.
 */
const LONGEST_FIRST = [
  'test/panel/pages.test.ts',
  'test/e2e/mail.test.ts',
  'test/e2e/drain.test.ts',
  'test/e2e/import-alternc.test.ts',
  'test/system/launcher.test.ts',
  'test/e2e/faults.test.ts',
  'test/integration/cli.test.ts',
  'test/e2e/mail-faults.test.ts',
  'test/e2e/database-faults.test.ts',
  'test/e2e/web-and-dns.test.ts',
  'test/panel/client.test.ts',
  'test/panel/accounting.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(path.relative(root, spec.moduleId));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // A stable sort: the other files keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// SWC keeps the decorator metadata Nest's dependency injection reads (esbuild drops it).
const decorators = swc.vite({
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'es6' },
});

export default defineConfig({
  plugins: [decorators],
  resolve: {
    alias: [
      { find: '@ruche/infra/fleet', replacement: path.join(root, 'infra/src/fleet/index.ts') },
      { find: /^@ruche\/infra$/, replacement: path.join(root, 'infra/src/index.ts') },
      { find: /^@ruche\/([a-z]+)$/, replacement: path.join(root, 'libs/$1/src/index.ts') },
    ],
  },
  test: {
    pool: 'forks',
    // Two to four files at a time, two even on two cores (vitest's default leaves a core to
    // itself: on two, every file ran after the other, the panel's last and alone). Most files
    // wait on containers, daemons, a browser or the database, not on the CPU; each has its own
    // database, data folder and servers.
    maxWorkers: Math.min(4, Math.max(2, os.availableParallelism() - 1)),
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'infra/src/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/database.global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'fleet',
          include: ['test/fleet/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/database.global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'panel',
          include: ['test/panel/**/*.test.ts'],
          globalSetup: ['test/support/database.global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
