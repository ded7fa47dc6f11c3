import { Inject, Injectable } from '@nestjs/common';
import { ArchivesService, DesiredStateReader, ResourceOutcomes, type ResourceState } from '@ruche/hosting';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../../provisioning.settings.js';
import { Driver } from '../driver-registry.js';
import type { StatePlan } from '../driver.js';
import { DatabaseEngineDriver, type ClientUse } from './database-driver.js';
import { BOOKKEEPING, type DatabaseStep, type DesiredDatabases } from './database-state.js';
import { parsePostgresCatalogue, POSTGRES_MEASURE, POSTGRES_OBSERVE, POSTGRES_PREPARE, type PostgresCatalogue } from './postgres-catalogue.js';
import { planPostgres } from './postgres-plan.js';
import { postgresBatch } from './statement-batch.js';
import { databaseName, postgresOwnerRole } from './sql-identifiers.js';

/**
 * Every session Ruche opens keeps its statements out of the server's log, whatever the
 * cluster's settings (they carry password verifiers), \connect included.
 */
const QUIET = 'PGOPTIONS=-c log_statement=none -c log_min_error_statement=panic -c log_min_duration_statement=-1';

/**
 * The newest PostgreSQL client tools installed (Debian keeps each version's under
 * /usr/lib/postgresql/<version>/bin), else those on the PATH: Debian's `psql` on the PATH is a
 * Perl wrapper that costs a fifth of a second at every call. A newer client serves an older
 * server, and pg_dump must be at least the server's version.
 */
const TOOLS = 'bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1) || bin=';
const PSQL = `${TOOLS}; exec "\${bin:+$bin/}psql" "$@"`;

/** A consistent dump of one database, in pg_dump's compressed custom format; owners and grants are Ruche's to make again. */
const ARCHIVE = `set -euo pipefail
umask 077
${TOOLS}
mkdir -p -- "$(dirname -- "$2")"
runuser -u postgres -- "\${bin:+$bin/}pg_dump" --format=custom --compress=6 --no-owner --no-privileges --dbname="$1" > "$2.partial"
mv -f -- "$2.partial" "$2"
stat -c %s -- "$2"`;

/**
 * Restored as the database's owner role, in one transaction, dropping what an earlier attempt
 * left: running it twice gives the same database.
 */
const RESTORE = `set -euo pipefail
${TOOLS}
runuser -u postgres -- "\${bin:+$bin/}pg_restore" --no-owner --no-privileges --role="$2" --clean --if-exists --single-transaction --exit-on-error --dbname="$1" < "$3"`;

/**
 * The PostgreSQL driver: databases owned by a role of their own, users (SCRAM-SHA-256 with the
 * verifier Ruche stores) members of the owner roles of exactly the databases they are granted.
 * Reached as the postgres user through its unix socket (peer authentication), statements on
 * psql's standard input.
 */
@Injectable()
@Driver()
export class PostgresqlDriver extends DatabaseEngineDriver<PostgresCatalogue> {
  readonly service = 'postgresql' as const;
  protected readonly prepareScript = POSTGRES_PREPARE;
  protected readonly observeScript = POSTGRES_OBSERVE;
  protected readonly measureScript = POSTGRES_MEASURE;

  constructor(desired: DesiredStateReader, archives: ArchivesService, outcomes: ResourceOutcomes, @Inject(PROVISIONING_SETTINGS.token) settings: ProvisioningSettings) {
    super(desired, archives, outcomes, settings);
  }

  protected client(use: ClientUse): string[] {
    const psql = ['runuser', '-u', 'postgres', '--', 'env', QUIET, 'sh', '-c', PSQL, 'ruche-psql', '--no-psqlrc', '--quiet', '--no-align', '--tuples-only'];
    if (use === 'prepare') return [...psql, '--set=ON_ERROR_STOP=1', '--dbname=postgres'];
    return [...psql, ...(use === 'read' ? ['--set=ON_ERROR_STOP=1'] : []), `--dbname=${BOOKKEEPING}`];
  }

  protected parse(stdout: string): PostgresCatalogue {
    return parsePostgresCatalogue(stdout);
  }

  protected parseMeasure(stdout: string): Array<{ name: string; bytes: number }> {
    return (JSON.parse(stdout.trim()) as Array<{ name: string; bytes: number }>).map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
  }

  protected batch(blocks: ReadonlyArray<readonly string[]>) {
    return postgresBatch(blocks);
  }

  protected archiveCommand(database: string, path: string): string[] {
    return ['bash', '-c', ARCHIVE, 'ruche-postgresql-archive', databaseName(database), path];
  }

  protected restoreCommand(database: string, path: string): string[] {
    return ['bash', '-c', RESTORE, 'ruche-postgresql-restore', databaseName(database), postgresOwnerRole(database), path];
  }

  plan(desired: DesiredDatabases, observed: PostgresCatalogue | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep> {
    return planPostgres(desired, observed, resources);
  }
}
