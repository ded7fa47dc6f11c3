import { Inject, Injectable } from '@nestjs/common';
import { ArchivesService, DesiredStateReader, ResourceOutcomes, type ResourceState } from '@ruche/hosting';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../../provisioning.settings.js';
import { Driver } from '../driver-registry.js';
import type { StatePlan } from '../driver.js';
import { DatabaseEngineDriver, type ClientUse } from './database-driver.js';
import type { DatabaseStep, DesiredDatabases } from './database-state.js';
import { MARIADB_MEASURE, MARIADB_OBSERVE, MARIADB_PREPARE, parseMariadbCatalogue, type MariadbCatalogue } from './mariadb-catalogue.js';
import { planMariadb } from './mariadb-plan.js';
import { mariadbBatch } from './statement-batch.js';
import { databaseName } from './sql-identifiers.js';

/** A consistent dump of one database (InnoDB), with its routines, triggers and events, gzipped. */
const ARCHIVE = `set -euo pipefail
umask 077
mkdir -p -- "$(dirname -- "$2")"
mariadb-dump --single-transaction --quick --routines --triggers --events --hex-blob "$1" | gzip -c > "$2.partial"
mv -f -- "$2.partial" "$2"
stat -c %s -- "$2"`;

/** The dump drops and makes each table again: running it twice gives the same database. */
const RESTORE = `set -euo pipefail
gunzip -c -- "$2" | mariadb --batch "$1"`;

/**
 * The MariaDB driver: databases, and users (`'<name>'@'%'`, mysql_native_password with the hash
 * Ruche stores) with ALL PRIVILEGES on exactly the databases they are granted. Reached as root
 * through its unix socket (Debian's default), statements on the client's standard input.
 */
@Injectable()
@Driver()
export class MariadbDriver extends DatabaseEngineDriver<MariadbCatalogue> {
  readonly service = 'mariadb' as const;
  protected readonly prepareScript = MARIADB_PREPARE;
  protected readonly observeScript = MARIADB_OBSERVE;
  protected readonly measureScript = MARIADB_MEASURE;

  constructor(desired: DesiredStateReader, archives: ArchivesService, outcomes: ResourceOutcomes, @Inject(PROVISIONING_SETTINGS.token) settings: ProvisioningSettings) {
    super(desired, archives, outcomes, settings);
  }

  protected client(use: ClientUse): string[] {
    return ['mariadb', '--batch', '--skip-column-names', '--raw', ...(use === 'apply' ? ['--force'] : [])];
  }

  protected parse(stdout: string): MariadbCatalogue {
    return parseMariadbCatalogue(stdout);
  }

  protected parseMeasure(stdout: string): Array<{ name: string; bytes: number }> {
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { name: string; bytes: number | string })
      .map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
  }

  protected batch(blocks: ReadonlyArray<readonly string[]>) {
    return mariadbBatch(blocks);
  }

  protected archiveCommand(database: string, path: string): string[] {
    return ['bash', '-c', ARCHIVE, 'ruche-mariadb-archive', databaseName(database), path];
  }

  protected restoreCommand(database: string, path: string): string[] {
    return ['bash', '-c', RESTORE, 'ruche-mariadb-restore', databaseName(database), path];
  }

  plan(desired: DesiredDatabases, observed: MariadbCatalogue | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep> {
    return planMariadb(desired, observed, resources);
  }
}
