import type { Config } from '@ruche/core';
import type { ArchivesService, DesiredStateReader, Engine, ResourceOutcomes, ResourceState, ResourceType, Server } from '@ruche/hosting';
import { checkedPath, CommandFailed, type CommandResult, type ServerConnection } from '../../transports/connection.js';
import type { StateChange, StateDriver, StatePlan, StateResult } from '../driver.js';
import type { ProvisioningSettings } from '../../provisioning.settings.js';
import type { DatabaseStep, DesiredDatabases } from './database-state.js';
import type { StatementBatch } from './statement-batch.js';
import { withoutSecrets } from './sql-identifiers.js';

/** What the engine's client is run for: set-up (stops at the first error), reading, or a batch of blocks. */
export type ClientUse = 'prepare' | 'read' | 'apply';

/** The first lines of a command's error output, for a message on a resource (secrets cut; what it printed is never used). */
function why(result: CommandResult): string {
  const text = withoutSecrets(result.stderr.trim());
  return text.split('\n').slice(0, 3).join(' ').slice(0, 500) || `exit code ${result.exitCode}`;
}

/**
 * What the MariaDB and PostgreSQL drivers share: they reach the engine with its own client as
 * its administrator over the local socket, through the server's transport, every statement on
 * standard input; they read the catalogue in one round trip, plan with a pure function, and
 * apply each resource's statements on its own, many resources in one run of the client. A
 * database is dumped (and the archive recorded) before it is dropped, and a database made from
 * an archive is filled from it before it is ready.
 */
export abstract class DatabaseEngineDriver<Observed> implements StateDriver<DesiredDatabases, Observed | null, DatabaseStep> {
  readonly kind = 'state' as const;
  abstract readonly service: Engine;
  readonly resourceTypes: ResourceType[] = ['database', 'database_user'];

  constructor(
    protected readonly desired: DesiredStateReader,
    protected readonly archives: ArchivesService,
    protected readonly outcomes: ResourceOutcomes,
    protected readonly settings: ProvisioningSettings,
  ) {}

  /** The engine's client, run as its administrator over the local socket, reading a script on standard input. */
  protected abstract client(use: ClientUse): string[];
  protected abstract readonly prepareScript: string;
  protected abstract readonly observeScript: string;
  protected abstract readonly measureScript: string;
  protected abstract parse(stdout: string): Observed;
  protected abstract parseMeasure(stdout: string): Array<{ name: string; bytes: number }>;
  protected abstract batch(blocks: ReadonlyArray<readonly string[]>): StatementBatch;
  /** Dumps a database, compressed, to a file (made aside, then moved in); prints the file's size. */
  protected abstract archiveCommand(database: string, path: string): string[];
  /** Fills a database (just made, or half filled by an earlier attempt) from its dump. */
  protected abstract restoreCommand(database: string, path: string): string[];
  abstract plan(desired: DesiredDatabases, observed: Observed | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep>;

  async load(server: Server, _config: Config): Promise<{ resources: ResourceState[]; desired: DesiredDatabases }> {
    const databases = await this.desired.databases(server.id, this.service);
    const users = await this.desired.databaseUsers(server.id, this.service);
    const restores = await this.archives.restoreFor(databases.filter((database) => database.state.phase !== 'deleting').map((database) => database.state.id));
    return {
      resources: [...databases.map((database) => database.state), ...users.map((user) => user.state)],
      desired: { databases: databases.map((database) => ({ ...database, restoreFrom: restores.get(database.state.id) ?? null })), users, archiveDir: this.settings.archiveDir },
    };
  }

  /** Ruche's bookkeeping on the engine; the embedded default's folder server has no engine. */
  async prepare(connection: ServerConnection): Promise<void> {
    if (!connection.runsCommands) return;
    await this.runClient(connection, 'prepare', this.prepareScript);
  }

  async observe(connection: ServerConnection): Promise<Observed | null> {
    if (!connection.runsCommands) return null;
    return this.parse((await this.runClient(connection, 'read', this.observeScript)).stdout);
  }

  /**
   * Runs the plan in rounds: each round runs the next statements of every resource in one run
   * of the client, then the steps that are not statements (dumps, restores) one by one. A
   * resource stops at its first refused step; the others go on.
   */
  async apply(connection: ServerConnection, changes: ReadonlyArray<StateChange<DatabaseStep>>): Promise<Map<string, StateResult>> {
    const results = new Map<string, StateResult>();
    if (!connection.runsCommands) {
      for (const change of changes) results.set(change.resource.id, { ok: true });
      return results;
    }
    const cursors = changes.map((change) => ({ change, at: 0 }));
    for (;;) {
      const active = cursors.filter((cursor) => cursor.at < cursor.change.steps.length && !results.has(cursor.change.resource.id));
      if (active.length === 0) break;
      const blocks: Array<{ cursor: (typeof cursors)[number]; statements: string[] }> = [];
      const others: typeof cursors = [];
      for (const cursor of active) {
        const statements: string[] = [];
        for (let at = cursor.at; at < cursor.change.steps.length; at++) {
          const step = cursor.change.steps[at]!;
          if (!('sql' in step)) break;
          statements.push(step.sql);
        }
        if (statements.length > 0) blocks.push({ cursor, statements });
        else others.push(cursor);
      }
      if (blocks.length > 0) {
        const batch = this.batch(blocks.map((block) => block.statements));
        const output = await connection.run(this.client('apply'), { input: batch.script, allowFailure: true, timeoutMs: 900_000 });
        const read = batch.read(output);
        // The client stopped before some block (the engine went away): nothing can be said of
        // those; the run fails and is retried, and the next one starts from what the engine has.
        if (read.some((result) => result === null)) throw new CommandFailed([`${this.service}-client`], { ...output, stdout: '', stderr: why(output) });
        blocks.forEach((block, index) => {
          const result = read[index]!;
          if (result.ok) block.cursor.at += block.statements.length;
          else results.set(block.cursor.change.resource.id, result);
        });
      }
      for (const cursor of others) {
        const result = await this.runStep(connection, cursor.change.steps[cursor.at]!, cursor.change.resource);
        if (result.ok) cursor.at += 1;
        else results.set(cursor.change.resource.id, result);
      }
    }
    for (const change of changes) if (!results.has(change.resource.id)) results.set(change.resource.id, { ok: true });
    return results;
  }

  private async runStep(connection: ServerConnection, step: DatabaseStep, resource: ResourceState): Promise<StateResult> {
    if ('refuse' in step) return { ok: false, message: step.refuse };
    if ('archive' in step) {
      const { database, path } = step.archive;
      const dumped = await this.dumpTo(connection, database, path);
      if ('failed' in dumped) return { ok: false, message: `The database could not be dumped, so it was not removed: ${dumped.failed}` };
      await this.archives.recordArchive({ type: 'database', id: resource.id, path, sizeBytes: dumped.size });
      return { ok: true };
    }
    if ('restore' in step) {
      const { database, path, archiveId } = step.restore;
      const restore = await connection.run(this.restoreCommand(database, checkedPath(path)), { allowFailure: true, timeoutMs: 3_600_000 });
      if (restore.exitCode !== 0) return { ok: false, message: `The archive could not be restored into the database: ${why(restore)}` };
      await this.archives.restored(archiveId);
      return { ok: true };
    }
    throw new Error('statements run in batches');
  }

  /** Dumps a database, consistently and compressed, to a file on the server (made aside, then moved in): its size, or why not. */
  async dumpTo(connection: ServerConnection, database: string, path: string): Promise<{ size: number } | { failed: string }> {
    const dump = await connection.run(this.archiveCommand(database, checkedPath(path)), { allowFailure: true, timeoutMs: 3_600_000 });
    const size = Number(dump.stdout.trim().split('\n').at(-1));
    return dump.exitCode === 0 && Number.isSafeInteger(size) ? { size } : { failed: why(dump) };
  }

  /** Bytes each database takes, for the database_storage_mb meter (one round trip). */
  async measure(server: Server, connection: ServerConnection): Promise<number> {
    const databases = (await this.desired.databases(server.id, this.service)).filter((database) => database.state.phase !== 'deleting');
    if (databases.length === 0 || !connection.runsCommands) return 0;
    const ids = new Map(databases.map((database) => [database.name, database.state.id]));
    const measured = this.parseMeasure((await this.runClient(connection, 'read', this.measureScript)).stdout).filter((row) => ids.has(row.name));
    await this.outcomes.recordStorage('database', measured.map((row) => ({ id: ids.get(row.name)!, bytes: row.bytes })));
    return measured.length;
  }

  /** Runs a script that must succeed whole; a failure's output never carries what was read (hashes). */
  private async runClient(connection: ServerConnection, use: ClientUse, script: string): Promise<CommandResult> {
    const argv = this.client(use);
    const result = await connection.run(argv, { input: script, allowFailure: true, timeoutMs: 600_000 });
    if (result.exitCode !== 0) throw new CommandFailed([`${this.service}-client`], { exitCode: result.exitCode, stdout: '', stderr: why(result) });
    return result;
  }
}
