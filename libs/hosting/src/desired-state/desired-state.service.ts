import { Injectable } from '@nestjs/common';
import { In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { z } from 'zod';
import {
  assertOrganizationAccess,
  AuditService,
  defineJob,
  insertInChunks,
  NotFound,
  newId,
  paginate,
  QueueService,
  TransactionalConnection,
  visibleOrganizationIds,
  type Page,
  type PageQuery,
} from '@ruche/core';
import { ResourceEvent } from './resource-event.entity.js';
import { RESOURCE_KINDS, type ResourceType } from './resource-kinds.js';
import { SERVICES, type HostedResource, type Phase, type Service } from './hosted-resource.js';

/** Why a reconcile runs: a change, a retry after a failure, or a resync (which also repairs drift). */
export const RECONCILE_TRIGGERS = ['change', 'retry', 'resync'] as const;
export type ReconcileTrigger = (typeof RECONCILE_TRIGGERS)[number];

/**
 * The job provisioning workers handle; hosting only enqueues it. The contract: a reconcile
 * applies the desired state it reads, and when it ends it enqueues itself again if any
 * resource of its (server, service) changed while it ran. That lets a change skip
 * enqueueing when a job for its key is already waiting to start.
 */
export const RECONCILE_JOB = defineJob(
  'provisioning:reconcile',
  z.strictObject({ serverId: z.uuid(), service: z.enum(SERVICES), trigger: z.enum(RECONCILE_TRIGGERS).default('change') }),
);

export function reconcileJobKey(serverId: string, service: Service): string {
  return `reconcile:${serverId}:${service}`;
}

/**
 * Writes desired state the way the reconciler expects: every change bumps the generation,
 * records the phase change as an event, and enqueues one coalescing reconcile job for the
 * resource's server and service, all in the caller's transaction.
 */
@Injectable()
export class DesiredStateService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Asks for a reconcile of (server, service). With `runAt` (a retry after a failure), a job
   * already due keeps its earlier time; without, a job waiting to start is enough for a change,
   * and is replaced by a resync.
   */
  async enqueueReconcile(serverId: string, service: Service, options: { runAt?: Date; trigger?: ReconcileTrigger } = {}): Promise<void> {
    const { runAt } = options;
    let trigger = options.trigger ?? 'change';
    const jobKey = reconcileJobKey(serverId, service);
    if (runAt) {
      // A retry merges into a waiting job: a resync asked meanwhile must stay a resync.
      const waiting = await this.queue.waiting(RECONCILE_JOB, jobKey);
      if (waiting?.payload.trigger === 'resync') trigger = 'resync';
    }
    // A resync must reach the job (its run re-prepares the server and reports drift); a change
    // is carried by any waiting job.
    if (!runAt && trigger !== 'resync') {
      // A job for this key that is due and not started will read this change when it runs: no
      // need to touch (and row-lock) it, which would serialise every change on one server.
      // The share lock keeps a worker from claiming it until this transaction commits, so the
      // job cannot start before the change is visible.
      if (await this.queue.waiting(RECONCILE_JOB, jobKey, { due: true, shareLock: true })) return;
    }
    await this.queue.enqueue(RECONCILE_JOB, { serverId, service, trigger }, {
      jobKey,
      // One reconcile at a time per (server, service): a change made while one runs gets a
      // new job, queued behind it.
      queueName: jobKey,
      jobKeyMode: runAt ? 'preserve_run_at' : 'replace',
      ...(runAt ? { runAt } : {}),
    });
  }

  /**
   * The one way a resource is created: inserted at generation 1 (pending), audited, its
   * creation recorded as an event, and its server's reconcile enqueued.
   */
  async insert<T extends HostedResource>(
    type: ResourceType,
    entity: EntityTarget<T>,
    values: Partial<T> & { id: string },
    service: Service,
    summary: (row: T) => object,
    beforeAudit?: (row: T) => Promise<void>,
  ): Promise<T> {
    const [row] = await this.insertMany(type, entity, [values], service, summary, beforeAudit && (([first]) => beforeAudit(first!)));
    return row!;
  }

  /**
   * `insert` for several resources of one kind (a batch): the same rows, audit entries, events
   * and reconciles, in a few multi-row statements. Returns the rows in the order of `values`.
   */
  async insertMany<T extends HostedResource>(
    type: ResourceType,
    entity: EntityTarget<T>,
    values: ReadonlyArray<Partial<T> & { id: string }>,
    service: Service,
    summary: (row: T) => object,
    beforeAudit?: (rows: T[]) => Promise<void>,
  ): Promise<T[]> {
    const repository = this.db.getRepository(entity);
    await insertInChunks(repository, values);
    const found = new Map((await repository.findBy({ id: In(values.map((value) => value.id)) } as never)).map((row) => [row.id, row]));
    const rows = values.map((value) => found.get(value.id)!);
    await beforeAudit?.(rows);
    await this.audit.recordMany(rows.map((row) => ({ action: `${type}.create`, targetType: type, targetId: row.id, organizationId: row.organizationId, after: summary(row) })));
    await this.recordEvents(rows.map((row) => ({ type, resource: row, kind: 'phase', fromPhase: null, toPhase: 'pending', generation: row.generation, message: null })));
    for (const serverId of new Set(rows.map((row) => row.serverId))) await this.enqueueReconcile(serverId, service);
    return rows;
  }

  /** After a change the server must apply: a new generation, pending again. */
  async changed(type: ResourceType, entity: EntityTarget<HostedResource>, resource: HostedResource, service: Service): Promise<number> {
    const generation = await this.bump(entity, resource.id, 'pending');
    if (resource.phase !== 'pending') await this.recordEvent(type, resource, 'phase', resource.phase, 'pending', generation, null);
    await this.enqueueReconcile(resource.serverId, service);
    return generation;
  }

  /** Deletion is a finalizer: the row stays, `deleting`, until the server no longer has it. */
  async deleting(type: ResourceType, entity: EntityTarget<HostedResource>, resource: HostedResource, service: Service): Promise<void> {
    const generation = await this.bump(entity, resource.id, 'deleting');
    await this.recordEvent(type, resource, 'phase', resource.phase, 'deleting', generation, null);
    await this.enqueueReconcile(resource.serverId, service);
  }

  /**
   * The one way a client deletes a resource: audited, idempotent (a second delete is a no-op),
   * and a finalizer rather than a row removal. `beforeDelete` may refuse (a domain still in use).
   */
  async remove<T extends HostedResource>(
    type: ResourceType,
    entity: EntityTarget<T>,
    id: string,
    service: (resource: T) => Service,
    summary: (resource: T) => object,
    beforeDelete?: (resource: T) => Promise<void>,
  ): Promise<void> {
    const resource = await this.visible(entity, id, 'hosting:write', true);
    if (resource.phase === 'deleting') return;
    await beforeDelete?.(resource);
    await this.audit.record({ action: `${type}.delete`, targetType: type, targetId: id, organizationId: resource.organizationId, before: summary(resource) });
    await this.deleting(type, entity as EntityTarget<HostedResource>, resource, service(resource));
  }

  private async bump(entity: EntityTarget<HostedResource>, id: string, phase: Phase): Promise<number> {
    const result = await this.db
      .getRepository(entity)
      .createQueryBuilder()
      .update()
      .set({ generation: () => 'generation + 1', phase, lastError: null, attempts: 0, nextAttemptAt: null })
      .where('id = :id', { id })
      .returning(['generation'])
      .execute();
    return (result.raw[0] as { generation: number }).generation;
  }

  async recordEvent(
    type: ResourceType,
    resource: Pick<HostedResource, 'id' | 'organizationId'>,
    kind: string,
    fromPhase: Phase | null,
    toPhase: Phase | null,
    generation: number,
    message: string | null,
  ): Promise<void> {
    await this.recordEvents([{ type, resource, kind, fromPhase, toPhase, generation, message }]);
  }

  private async recordEvents(
    events: ReadonlyArray<{
      type: ResourceType;
      resource: Pick<HostedResource, 'id' | 'organizationId'>;
      kind: string;
      fromPhase: Phase | null;
      toPhase: Phase | null;
      generation: number;
      message: string | null;
    }>,
  ): Promise<void> {
    await insertInChunks(
      this.db.getRepository(ResourceEvent),
      events.map(({ type, resource, ...event }) => ({ id: newId(), organizationId: resource.organizationId, resourceType: type, resourceId: resource.id, ...event })),
    );
  }

  /**
   * Every resource of a kind on a server changed at once (the server changed something they all
   * render): a generation more for each, as `bump` does one, and one reconcile.
   */
  async changedOnServer(type: ResourceType, serverId: string, service: Service): Promise<void> {
    await this.db.query(
      `UPDATE ${RESOURCE_KINDS[type].table} SET generation = generation + 1, phase = CASE WHEN phase = 'deleting' THEN phase ELSE 'pending' END,
              last_error = NULL, attempts = 0, next_attempt_at = NULL
        WHERE server_id = $1`,
      [serverId],
    );
    await this.enqueueReconcile(serverId, service);
  }

  /**
   * Asks for a resource to be applied again now, whatever its backoff said (sysadmins, when a
   * server is mended). A resource being deleted is only queued again.
   */
  async retry(type: ResourceType, id: string): Promise<void> {
    const kind = RESOURCE_KINDS[type];
    const resource = (await this.db.getRepository(kind.entity).findOneBy({ id })) as (HostedResource & { engine?: string }) | null;
    if (!resource) throw new NotFound();
    await this.audit.record({ action: `${type}.retry`, targetType: type, targetId: id, organizationId: resource.organizationId });
    if (resource.phase === 'deleting') await this.enqueueReconcile(resource.serverId, kind.service(resource));
    else await this.changed(type, kind.entity, resource, kind.service(resource));
  }

  /** One resource the caller may see with `scope`, else 404. `lock` takes a row lock for a change. */
  async visible<T extends ObjectLiteral & { organizationId: string }>(
    entity: EntityTarget<T>,
    id: string,
    scope: 'hosting:read' | 'hosting:write',
    lock = false,
  ): Promise<T> {
    const query = this.db.getRepository(entity).createQueryBuilder('r').where('r.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    const row = await query.getOne();
    if (!row) throw new NotFound();
    assertOrganizationAccess(scope, row.organizationId);
    return row;
  }

  /** A page of the resources the caller may see, optionally of one organisation. */
  async list<T extends ObjectLiteral & { id: string; organizationId: string }>(
    entity: EntityTarget<T>,
    query: PageQuery & { organizationId?: string | undefined },
    refine?: (qb: ReturnType<ReturnType<TransactionalConnection['getRepository']>['createQueryBuilder']>) => void,
  ): Promise<Page<T>> {
    const visible = visibleOrganizationIds('hosting:read');
    const qb = this.db.getRepository(entity).createQueryBuilder('r');
    if (visible !== 'all') qb.andWhere('r.organization_id = ANY(:visible::uuid[])', { visible });
    if (query.organizationId) qb.andWhere('r.organization_id = :organizationId', { organizationId: query.organizationId });
    refine?.(qb as never);
    return paginate(qb, query);
  }

  /**
   * Serialises quota-checked changes of one organisation: two parallel creates at the quota
   * edge cannot both count the same free slot.
   */
  async lockOrganization(organizationId: string): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtextextended('ruche:organization:' || $1, 0))`, [organizationId]);
  }

  /**
   * Serialises changes that compete for names across organisations (a domain and its
   * subdomains). A name locks one of NAME_LOCK_BUCKETS locks, taken in one order, so that two
   * batches cannot deadlock and a batch of a thousand names holds at most that many locks
   * (PostgreSQL's lock table is shared by every session).
   */
  async lockNames(names: readonly string[]): Promise<void> {
    await this.db.query(
      `SELECT count(pg_advisory_xact_lock(hashtext('ruche:names'), bucket))
         FROM (SELECT DISTINCT abs(hashtext(name) % ${NAME_LOCK_BUCKETS}) AS bucket FROM unnest($1::text[]) AS name ORDER BY bucket) AS buckets`,
      [[...new Set(names)]],
    );
  }
}

/** Names share this many locks: two names rarely wait for each other, a batch holds few. */
const NAME_LOCK_BUCKETS = 256;
