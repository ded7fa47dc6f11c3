import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, JobHandler, mapPage, NotFound, paginate, TransactionalConnection, type Page } from '@ruche/core';
import { DesiredStateService, RECONCILE_TASK, Server, Domain, Site, Mailbox, MailAlias, Database, DatabaseUser, type ResourceType, type Service } from '@ruche/hosting';
import type { EntityTarget } from 'typeorm';
import { ReconcileRun, type RunStatus } from '../reconciler/reconcile-run.entity.js';
import { ServerEvent, type ServerEventKind } from './server-event.entity.js';
import { DriverRegistry } from '../drivers/driver-registry.js';
import type { jobSchema } from './operations.schemas.js';
import type { z } from 'zod';

type JobDto = z.infer<typeof jobSchema>;

const ENTITIES: Record<ResourceType, { entity: EntityTarget<never>; service: (row: { engine?: string }) => Service }> = {
  domain: { entity: Domain as EntityTarget<never>, service: () => 'dns' },
  site: { entity: Site as EntityTarget<never>, service: () => 'web' },
  mailbox: { entity: Mailbox as EntityTarget<never>, service: () => 'mail' },
  mail_alias: { entity: MailAlias as EntityTarget<never>, service: () => 'mail' },
  database: { entity: Database as EntityTarget<never>, service: (row) => row.engine as Service },
  database_user: { entity: DatabaseUser as EntityTarget<never>, service: (row) => row.engine as Service },
};

function runToDto(run: ReconcileRun): JobDto {
  return {
    id: run.id,
    task: 'reconcile',
    serverId: run.serverId,
    service: run.service,
    status: run.status,
    trigger: run.trigger,
    runAt: null,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.durationMs,
    attempts: null,
    filesChanged: run.filesChanged,
    resourcesApplied: run.resourcesApplied,
    resourcesFailed: run.resourcesFailed,
    drift: run.drift,
    reloads: run.reloads,
    error: run.error,
  };
}

/** What sysadmins do to the provisioning queue: watch it, retry, resync. */
@Injectable()
export class OperationsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly drivers: DriverRegistry,
    private readonly audit: AuditService,
  ) {}

  async serverEvents(query: { serverId?: string | undefined; kind?: ServerEventKind | undefined; limit: number; cursor?: string | undefined }) {
    assertStaffScope('provisioning:admin');
    const qb = this.db.getRepository(ServerEvent).createQueryBuilder('e');
    if (query.serverId) qb.andWhere('e.serverId = :serverId', { serverId: query.serverId });
    if (query.kind) qb.andWhere('e.kind = :kind', { kind: query.kind });
    return mapPage(await paginate(qb, query, 'DESC'), (event) => ({ ...event, at: event.at.toISOString() }));
  }

  /** Queued jobs come from the queue; running and finished ones from the reconcile log. */
  async list(query: { status?: RunStatus | 'queued' | undefined; serverId?: string | undefined; service?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<JobDto>> {
    assertStaffScope('provisioning:admin');
    if (query.status === 'queued') {
      const rows = await this.db.query<{ id: string; key: string | null; payload: { serverId: string; service: string; trigger?: string }; run_at: Date; attempts: number; last_error: string | null }>(
        `SELECT j.id::text, j.key, j.payload, j.run_at, j.attempts, j.last_error
           FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          WHERE t.identifier = $1 AND j.locked_at IS NULL AND j.attempts < j.max_attempts
            AND ($2::uuid IS NULL OR j.payload->>'serverId' = $2::text) AND ($3::text IS NULL OR j.payload->>'service' = $3)
          ORDER BY j.run_at, j.id LIMIT $4`,
        [RECONCILE_TASK, query.serverId ?? null, query.service ?? null, query.limit],
      );
      return {
        data: rows.map((row) => ({
          id: row.id,
          task: 'reconcile',
          serverId: row.payload.serverId,
          service: row.payload.service,
          status: 'queued',
          trigger: row.payload.trigger ?? 'change',
          runAt: row.run_at.toISOString(),
          startedAt: null,
          finishedAt: null,
          durationMs: null,
          attempts: row.attempts,
          filesChanged: 0,
          resourcesApplied: 0,
          resourcesFailed: 0,
          drift: false,
          reloads: 0,
          error: row.last_error,
        })),
        nextCursor: null,
      };
    }
    const qb = this.db.getRepository(ReconcileRun).createQueryBuilder('r');
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.serverId) qb.andWhere('r.serverId = :serverId', { serverId: query.serverId });
    if (query.service) qb.andWhere('r.service = :service', { service: query.service });
    const page = await paginate(qb, query, 'DESC');
    return { data: page.data.map(runToDto), nextCursor: page.nextCursor };
  }

  /** Asks for a failed resource to be applied again now, whatever its backoff said. */
  async retry(type: ResourceType, id: string): Promise<void> {
    assertStaffScope('provisioning:admin');
    const { entity, service } = ENTITIES[type];
    const resource = await this.db.getRepository(entity).findOneBy({ id } as never) as unknown as (Parameters<DesiredStateService['changed']>[2] & { engine?: string }) | null;
    if (!resource) throw new NotFound();
    await this.audit.record({ action: `${type}.retry`, targetType: type, targetId: id, organizationId: resource.organizationId });
    if (resource.phase === 'deleting') await this.state.enqueueReconcile(resource.serverId, service(resource));
    else await this.state.changed(type, entity as never, resource, service(resource));
  }

  /** Re-renders a server's services (all servers' without one) and repairs drift. */
  async resync(serverId?: string): Promise<number> {
    const servers = serverId
      ? await this.db.getRepository(Server).findBy({ id: serverId })
      : await this.db.getRepository(Server).find({ where: { status: 'active' } });
    if (serverId && servers.length === 0) throw new NotFound();
    let queued = 0;
    for (const server of servers) {
      for (const service of server.services.filter((candidate) => this.drivers.get(candidate))) {
        await this.state.enqueueReconcile(server.id, service, { trigger: 'resync' });
        queued++;
      }
    }
    return queued;
  }

  async resyncFromApi(serverId?: string): Promise<number> {
    assertStaffScope('provisioning:admin');
    const queued = await this.resync(serverId);
    await this.audit.record({ action: 'provisioning.resync', targetType: 'server', targetId: serverId ?? null, after: { queued } });
    return queued;
  }

  /** The periodic resync (RUCHE_RESYNC_INTERVAL_MINUTES). */
  @JobHandler('provisioning:resync-all', { cron: (config) => everyMinutes(config.resyncIntervalMinutes) })
  async periodicResync(): Promise<void> {
    await this.resync();
  }
}

/** A crontab line for "every N minutes", N dividing an hour or a day in whole hours (the configuration checks it). */
export function everyMinutes(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return '0 * * * *';
  return `0 */${minutes / 60} * * *`;
}
