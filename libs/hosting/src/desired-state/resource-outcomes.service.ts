import { Injectable } from '@nestjs/common';
import { newId, TransactionalConnection } from '@ruche/core';
import type { Phase, Service } from './hosted-resource.js';
import { kindsOf, RESOURCE_KINDS, type ResourceType } from './resource-kinds.js';
import type { ResourceState } from './resource-state.js';

/** What one reconcile achieved, resource by resource. */
export interface Outcomes {
  /** Applied at the generation read: ready, unless changed since. */
  applied: ResourceState[];
  /** Refused by the driver or the service's checker: failed, not retried until changed. */
  rejected: Array<{ resource: ResourceState; message: string }>;
  /** The server could not take the change: failed, retried with backoff. */
  unreachable: Array<{ resource: ResourceState; message: string; nextAttemptAt: Date; attempts: number }>;
  /** Removed from the server: the rows go. */
  deleted: ResourceState[];
  /** Changed on the server by hand, and put back. */
  drifted: Array<{ resource: ResourceState; message: string }>;
}

export function noOutcomes(): Outcomes {
  return { applied: [], rejected: [], unreachable: [], deleted: [], drifted: [] };
}

interface EventRow {
  resource: ResourceState;
  kind: string;
  from: Phase | null;
  to: Phase | null;
  message: string | null;
}

function byType<T extends { resource: ResourceState } | ResourceState>(items: T[]): Map<ResourceType, T[]> {
  const groups = new Map<ResourceType, T[]>();
  for (const item of items) {
    const type = 'resource' in item ? item.resource.type : item.type;
    groups.set(type, [...(groups.get(type) ?? []), item]);
  }
  return groups;
}

/**
 * Where provisioning reports what happened on the servers: phases, errors, retries, deletions,
 * drift and measured storage. Hosting owns these tables; this is the only way in from outside.
 */
@Injectable()
export class ResourceOutcomes {
  constructor(private readonly db: TransactionalConnection) {}

  /** Marks resources `applying`, for those whose generation has not moved since they were read. */
  async markApplying(resources: ResourceState[]): Promise<void> {
    const events: EventRow[] = [];
    for (const [type, group] of byType(resources)) {
      const rows = await this.db.query<{ id: string }>(
        `UPDATE ${RESOURCE_KINDS[type].table} t SET phase = 'applying' FROM unnest($1::uuid[], $2::int[]) AS u(id, generation)
          WHERE t.id = u.id AND t.generation = u.generation AND t.phase IN ('pending', 'failed') RETURNING t.id`,
        [group.map((r) => r.id), group.map((r) => r.generation)],
      );
      const marked = new Set(rows.map((row) => row.id));
      for (const resource of group) if (marked.has(resource.id)) events.push({ resource, kind: 'phase', from: resource.phase, to: 'applying', message: null });
    }
    await this.insertEvents(events);
  }

  /**
   * Writes what a reconcile achieved, in one transaction. A resource changed while the
   * reconcile ran keeps its newer generation (and its pending phase): only what was read is
   * recorded as observed.
   */
  async record(outcomes: Outcomes): Promise<void> {
    await this.db.withTransaction(async () => {
      const events: EventRow[] = [];
      for (const [type, group] of byType(outcomes.applied)) {
        const table = RESOURCE_KINDS[type].table;
        const rows = await this.db.query<{ id: string; was: Phase }>(
          `UPDATE ${table} t SET observed_generation = u.generation, phase = 'ready', last_error = NULL, attempts = 0, next_attempt_at = NULL
             FROM unnest($1::uuid[], $2::int[]) AS u(id, generation) JOIN ${table} previous ON previous.id = u.id
            WHERE t.id = u.id AND t.generation = u.generation AND t.phase <> 'deleting' AND (t.phase <> 'ready' OR t.observed_generation <> u.generation)
            RETURNING t.id, previous.phase AS was`,
          [group.map((r) => r.id), group.map((r) => r.generation)],
        );
        const was = new Map(rows.map((row) => [row.id, row.was]));
        for (const resource of group) if (was.has(resource.id)) events.push({ resource, kind: 'phase', from: was.get(resource.id)!, to: 'ready', message: null });
      }
      // A deletion the server refused (a database that could not be dumped) stays a deletion:
      // it is tried again at the next resync or when staff retry it, never dropped silently.
      for (const [type, group] of byType(outcomes.rejected)) {
        const rows = await this.db.query<{ id: string }>(
          `UPDATE ${RESOURCE_KINDS[type].table} t SET observed_generation = u.generation, phase = CASE WHEN t.phase = 'deleting' THEN 'deleting' ELSE 'failed' END,
                  last_error = u.message, attempts = t.attempts + 1, next_attempt_at = NULL
             FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u(id, generation, message)
            WHERE t.id = u.id AND t.generation = u.generation AND (t.phase NOT IN ('failed', 'deleting') OR t.last_error IS DISTINCT FROM u.message)
            RETURNING t.id`,
          [group.map((r) => r.resource.id), group.map((r) => r.resource.generation), group.map((r) => r.message)],
        );
        const changed = new Set(rows.map((row) => row.id));
        for (const { resource, message } of group) {
          if (changed.has(resource.id) && resource.phase !== 'deleting') events.push({ resource, kind: 'phase', from: resource.phase, to: 'failed', message });
        }
      }
      for (const [type, group] of byType(outcomes.unreachable)) {
        const rows = await this.db.query<{ id: string }>(
          `UPDATE ${RESOURCE_KINDS[type].table} t SET phase = CASE WHEN t.phase = 'deleting' THEN 'deleting' ELSE 'failed' END,
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
        const rows = await this.db.query<{ id: string }>(
          `DELETE FROM ${RESOURCE_KINDS[type].table} t USING unnest($1::uuid[], $2::int[]) AS u(id, generation)
            WHERE t.id = u.id AND t.generation = u.generation AND t.phase = 'deleting' RETURNING t.id`,
          [group.map((r) => r.id), group.map((r) => r.generation)],
        );
        const gone = new Set(rows.map((row) => row.id));
        for (const resource of group) if (gone.has(resource.id)) events.push({ resource, kind: 'deleted', from: 'deleting', to: null, message: null });
      }
      for (const { resource, message } of outcomes.drifted) events.push({ resource, kind: 'drift', from: null, to: null, message });
      await this.insertEvents(events);
    });
  }

  /** True when a resource of the service on the server still waits for a reconcile (changed while one ran). */
  async hasPendingWork(serverId: string, service: Service): Promise<boolean> {
    for (const kind of kindsOf(service)) {
      // Databases and their users are of one engine each: the engine is the service. A deletion
      // that failed waits for its retry (next_attempt_at) or, refused, for the next resync.
      const engine = kind.services.length > 1 ? ' AND engine = $2' : '';
      const [row] = await this.db.query(
        `SELECT 1 FROM ${kind.table} WHERE server_id = $1${engine} AND (phase = 'pending' OR (phase = 'deleting' AND next_attempt_at IS NULL AND last_error IS NULL)) LIMIT 1`,
        kind.services.length > 1 ? [serverId, service] : [serverId],
      );
      if (row) return true;
    }
    return false;
  }

  /** What a server measured its resources take on disk, for the storage meters. */
  async recordStorage(type: ResourceType, measured: ReadonlyArray<{ id: string; bytes: number }>): Promise<void> {
    const column = RESOURCE_KINDS[type].storageColumn;
    if (!column) throw new Error(`${type} has no measured storage`);
    if (measured.length === 0) return;
    await this.db.query(
      `UPDATE ${RESOURCE_KINDS[type].table} t SET ${column} = u.bytes FROM unnest($1::uuid[], $2::bigint[]) AS u(id, bytes) WHERE t.id = u.id AND t.${column} IS DISTINCT FROM u.bytes`,
      [measured.map((row) => row.id), measured.map((row) => row.bytes)],
    );
  }

  private async insertEvents(events: EventRow[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(
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
}
