import { newId, type TransactionalConnection } from '@ruche/core';
import type { Phase, ResourceType } from '@ruche/hosting';
import type { DesiredResource } from '../drivers/driver.js';

/** Resource types and their tables; the only table names this module puts in SQL. */
const TABLES: Record<ResourceType, string> = {
  domain: 'domains',
  site: 'sites',
  mailbox: 'mailboxes',
  mail_alias: 'mail_aliases',
  database: 'databases',
  database_user: 'database_users',
};

export interface Outcomes {
  /** Applied at the generation read: ready, unless changed since. */
  applied: DesiredResource[];
  /** Refused by the driver or the service's checker: failed, not retried until changed. */
  rejected: Array<{ resource: DesiredResource; message: string }>;
  /** The server could not take the change: failed, retried with backoff. */
  unreachable: Array<{ resource: DesiredResource; message: string; nextAttemptAt: Date; attempts: number }>;
  /** Removed from the server: the rows go. */
  deleted: DesiredResource[];
  /** Files changed by hand on the server, repaired. */
  drifted: DesiredResource[];
}

function byType<T extends { resource: DesiredResource } | DesiredResource>(items: T[]): Map<ResourceType, T[]> {
  const groups = new Map<ResourceType, T[]>();
  for (const item of items) {
    const type = 'resource' in item ? item.resource.type : item.type;
    groups.set(type, [...(groups.get(type) ?? []), item]);
  }
  return groups;
}

interface EventRow {
  resource: DesiredResource;
  kind: string;
  from: Phase | null;
  to: Phase | null;
  message: string | null;
}

async function insertEvents(db: TransactionalConnection, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO resource_events (id, organization_id, resource_type, resource_id, kind, from_phase, to_phase, generation, message)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[])`,
    [
      events.map(() => newId()),
      events.map((e) => e.resource.organizationId),
      events.map((e) => e.resource.type),
      events.map((e) => e.resource.id),
      events.map((e) => e.kind),
      events.map((e) => e.from),
      events.map((e) => e.to),
      events.map((e) => e.resource.generation),
      events.map((e) => e.message),
    ],
  );
}

/** Marks resources `applying`, for those whose generation has not moved since they were read. */
export async function markApplying(db: TransactionalConnection, resources: DesiredResource[]): Promise<void> {
  const events: EventRow[] = [];
  for (const [type, group] of byType(resources)) {
    const rows = await db.query<{ id: string }>(
      `UPDATE ${TABLES[type]} t SET phase = 'applying' FROM unnest($1::uuid[], $2::int[]) AS u(id, generation)
        WHERE t.id = u.id AND t.generation = u.generation AND t.phase IN ('pending', 'failed') RETURNING t.id`,
      [group.map((r) => r.id), group.map((r) => r.generation)],
    );
    const marked = new Set(rows.map((row) => row.id));
    for (const resource of group) if (marked.has(resource.id)) events.push({ resource, kind: 'phase', from: resource.phase, to: 'applying', message: null });
  }
  await insertEvents(db, events);
}

/**
 * Writes what a reconcile achieved, in one transaction. A resource changed while the
 * reconcile ran keeps its newer generation (and its pending phase): only what was read is
 * recorded as observed.
 */
export async function recordOutcomes(db: TransactionalConnection, outcomes: Outcomes): Promise<void> {
  await db.withTransaction(async () => {
    const events: EventRow[] = [];
    for (const [type, group] of byType(outcomes.applied)) {
      const rows = await db.query<{ id: string; was: Phase }>(
        `UPDATE ${TABLES[type]} t SET observed_generation = u.generation, phase = 'ready', last_error = NULL, attempts = 0, next_attempt_at = NULL
           FROM unnest($1::uuid[], $2::int[]) AS u(id, generation) JOIN ${TABLES[type]} previous ON previous.id = u.id
          WHERE t.id = u.id AND t.generation = u.generation AND t.phase <> 'deleting' AND (t.phase <> 'ready' OR t.observed_generation <> u.generation)
          RETURNING t.id, previous.phase AS was`,
        [group.map((r) => r.id), group.map((r) => r.generation)],
      );
      const was = new Map(rows.map((row) => [row.id, row.was]));
      for (const resource of group) if (was.has(resource.id)) events.push({ resource, kind: 'phase', from: was.get(resource.id)!, to: 'ready', message: null });
    }
    for (const [type, group] of byType(outcomes.rejected)) {
      const rows = await db.query<{ id: string }>(
        `UPDATE ${TABLES[type]} t SET observed_generation = u.generation, phase = 'failed', last_error = u.message, attempts = t.attempts + 1, next_attempt_at = NULL
           FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u(id, generation, message)
          WHERE t.id = u.id AND t.generation = u.generation AND (t.phase <> 'failed' OR t.last_error IS DISTINCT FROM u.message)
          RETURNING t.id`,
        [group.map((r) => r.resource.id), group.map((r) => r.resource.generation), group.map((r) => r.message)],
      );
      const changed = new Set(rows.map((row) => row.id));
      for (const { resource, message } of group) {
        if (changed.has(resource.id)) events.push({ resource, kind: 'phase', from: resource.phase, to: 'failed', message });
      }
    }
    for (const [type, group] of byType(outcomes.unreachable)) {
      const rows = await db.query<{ id: string }>(
        `UPDATE ${TABLES[type]} t SET phase = CASE WHEN t.phase = 'deleting' THEN 'deleting' ELSE 'failed' END,
                last_error = u.message, attempts = u.attempts, next_attempt_at = u.next_attempt_at
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::timestamptz[]) AS u(id, generation, message, attempts, next_attempt_at)
          WHERE t.id = u.id AND t.generation = u.generation
          RETURNING t.id`,
        [
          group.map((r) => r.resource.id),
          group.map((r) => r.resource.generation),
          group.map((r) => r.message),
          group.map((r) => r.attempts),
          group.map((r) => r.nextAttemptAt),
        ],
      );
      const changed = new Set(rows.map((row) => row.id));
      for (const { resource, message } of group) {
        if (changed.has(resource.id) && resource.phase !== 'deleting') events.push({ resource, kind: 'phase', from: resource.phase, to: 'failed', message });
      }
    }
    for (const [type, group] of byType(outcomes.deleted)) {
      const rows = await db.query<{ id: string }>(
        `DELETE FROM ${TABLES[type]} t USING unnest($1::uuid[], $2::int[]) AS u(id, generation)
          WHERE t.id = u.id AND t.generation = u.generation AND t.phase = 'deleting' RETURNING t.id`,
        [group.map((r) => r.id), group.map((r) => r.generation)],
      );
      const gone = new Set(rows.map((row) => row.id));
      for (const resource of group) if (gone.has(resource.id)) events.push({ resource, kind: 'deleted', from: 'deleting', to: null, message: null });
    }
    for (const resource of outcomes.drifted) {
      events.push({ resource, kind: 'drift', from: null, to: null, message: 'configuration changed on the server by hand; restored' });
    }
    await insertEvents(db, events);
  });
}

/** True when a resource of these types on the server still waits for a reconcile (changed while one ran). */
export async function hasPendingWork(db: TransactionalConnection, serverId: string, types: ResourceType[]): Promise<boolean> {
  for (const type of types) {
    const [row] = await db.query(
      `SELECT 1 FROM ${TABLES[type]} WHERE server_id = $1 AND (phase = 'pending' OR (phase = 'deleting' AND next_attempt_at IS NULL)) LIMIT 1`,
      [serverId],
    );
    if (row) return true;
  }
  return false;
}
