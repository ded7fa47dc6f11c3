import type { DesiredDatabase, DesiredDatabaseUser, Engine, ResourceState, RestoreFrom } from '@ruche/hosting';
import type { StateChange, StatePlan } from '../driver.js';

/** What a database engine on one server should have, as the drivers plan from it. */
export interface DesiredDatabases {
  /** Deleting ones included; `restoreFrom`: the archive a new database is filled from. */
  databases: Array<DesiredDatabase & { restoreFrom: RestoreFrom | null }>;
  /** Deleting ones included; each with the databases (not being deleted) it is granted. */
  users: DesiredDatabaseUser[];
  /** Where, on the server, a deleted database's dump goes. */
  archiveDir: string;
}

/**
 * One step of a resource's change. Consecutive `sql` steps run together, in order, and stop
 * at the first the engine refuses; `archive` dumps a database before it is dropped (and records
 * the archive), `restore` fills a new database from an archive, `refuse` fails the resource
 * with a message without touching the engine.
 */
export type DatabaseStep =
  | { sql: string }
  | { archive: { database: string; path: string } }
  | { restore: { database: string; archiveId: string; path: string } }
  | { refuse: string };

/**
 * The database (MariaDB) or schema (PostgreSQL) where Ruche lists, on each engine, the
 * databases and users it made: written before it creates one, cleared after it drops one.
 * Ruche alters and drops only what is listed there. Its name has no `_`, so no client
 * database (`<prefix>_<name>`) can ever be called so.
 */
export const BOOKKEEPING = 'ruche';

/** Applied as desired and not changed since: anything different on the server was done by hand. */
export function settled(resource: ResourceState): boolean {
  return resource.phase === 'ready' && resource.generation === resource.observedGeneration;
}

/** Where the dump of a deleted database goes: one file per deleted resource, so a retried dump replaces its own. */
export function archivePath(archiveDir: string, engine: Engine, database: string, resourceId: string): string {
  return `${archiveDir}/${engine}/${database}-${resourceId}.${engine === 'mariadb' ? 'sql.gz' : 'dump'}`;
}

/** The message of a drift event: what was found changed by hand, and put back. */
export function driftMessage(handEdits: readonly string[]): string {
  return `changed on the server by hand; put back: ${handEdits.join('; ')}`;
}

/** Builds a state plan in the order its changes must run: each resource's steps, and what was done by hand. */
class PlanBuilder {
  private readonly changes: Array<StateChange<DatabaseStep>> = [];
  private readonly kept: ResourceState[] = [];

  /** Nothing to do: kept. `handEdits` are reported as drift only for a resource that was settled. */
  add(resource: ResourceState, steps: DatabaseStep[], handEdits: readonly string[] = []): void {
    if (steps.length === 0) {
      this.kept.push(resource);
      return;
    }
    const drift = settled(resource) && handEdits.length > 0 ? driftMessage(handEdits) : undefined;
    this.changes.push({ resource, steps, ...(drift ? { drift } : {}) });
  }

  plan(): StatePlan<DatabaseStep> {
    return { changes: this.changes, kept: this.kept };
  }
}

/** A resource's steps, and what they put back that was changed by hand. */
export interface Changes {
  steps: DatabaseStep[];
  edits: string[];
}

type LiveDatabase = DesiredDatabases['databases'][number];

/** What an engine's planner says; the policy both engines share is `planDatabases`'s. */
export interface EnginePlanner {
  /** On the engine now. */
  hasDatabase(name: string): boolean;
  hasUser(name: string): boolean;
  /** Made by Ruche (its bookkeeping on the engine). */
  managed: { databases: ReadonlySet<string>; users: ReadonlySet<string> };
  /** A database Ruche made or is about to make, as it should be. */
  database(database: LiveDatabase): Changes;
  /** A user Ruche made or is about to make, with exactly the `databases` it may be granted. */
  user(user: DesiredDatabaseUser, databases: string[]): Changes;
  /** Removing a user Ruche made (it may be gone already). */
  leavingUser(user: DesiredDatabaseUser): DatabaseStep[];
  /** Removing a database Ruche made, after its dump (it may be gone already). */
  leavingDatabase(database: LiveDatabase): DatabaseStep[];
}

/**
 * The plan of either engine (pure). Ruche touches only what it made: a database or user of a
 * desired name that exists but is not in its bookkeeping is refused, never taken over, and no
 * user is granted such a database; one being deleted that it did not make is let go untouched.
 * Order: databases, users, users leaving, databases leaving, so a grant is always revoked
 * before its database goes. Without an engine to reach (the embedded default's folder server),
 * what is desired is taken as done.
 */
export function planDatabases(desired: DesiredDatabases, planner: EnginePlanner | null, resources: readonly ResourceState[]): StatePlan<DatabaseStep> {
  if (!planner) return { changes: [], kept: [...resources] };
  const plan = new PlanBuilder();
  const leaving = (resource: { state: ResourceState }) => resource.state.phase === 'deleting';
  const foreignDatabase = (name: string) => planner.hasDatabase(name) && !planner.managed.databases.has(name);
  const live = desired.databases.filter((database) => !leaving(database));
  const grantable = new Set(live.filter((database) => !foreignDatabase(database.name)).map((database) => database.name));

  for (const database of live) {
    if (foreignDatabase(database.name)) plan.add(database.state, [{ refuse: `A database named ${database.name} already exists on the server and was not made by Ruche: it is left alone.` }]);
    else add(plan, database.state, planner.database(database));
  }
  for (const user of desired.users.filter((candidate) => !leaving(candidate))) {
    if (planner.hasUser(user.name) && !planner.managed.users.has(user.name)) {
      plan.add(user.state, [{ refuse: `A user named ${user.name} already exists on the server and was not made by Ruche: it is left alone.` }]);
      continue;
    }
    const changes = planner.user(user, user.databases.filter((name) => grantable.has(name)));
    const refused = user.databases.filter((name) => !grantable.has(name));
    if (refused.length > 0) changes.steps.push({ refuse: `Not granted ${refused.join(', ')}: no database of that name made by Ruche on this server.` });
    add(plan, user.state, changes);
  }
  for (const user of desired.users.filter(leaving)) plan.add(user.state, planner.managed.users.has(user.name) ? planner.leavingUser(user) : []);
  for (const database of desired.databases.filter(leaving)) plan.add(database.state, planner.managed.databases.has(database.name) ? planner.leavingDatabase(database) : []);
  return plan.plan();
}

const add = (plan: PlanBuilder, resource: ResourceState, changes: Changes) => plan.add(resource, changes.steps, changes.edits);

/** Each step as SQL, for the steps that are statements. */
export const sql = (...statements: string[]): DatabaseStep[] => statements.map((statement) => ({ sql: statement }));
