import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, defineJob, JobHandler, mapPage, NO_PAYLOAD, NotFound, paginate, QueueService, TransactionalConnection, type Page } from '@ruche/core';
import { DesiredStateService, RECONCILE_JOB, ServersService, type ResourceType } from '@ruche/hosting';
import { ReconcileRun, type RunStatus } from '../reconciler/reconcile-run.entity.js';
import { ServerEvent, type ServerEventKind } from './server-event.entity.js';
import { PROVISIONING_SETTINGS } from '../provisioning.settings.js';
import type { jobSchema } from './operations.schemas.js';
import type { z } from 'zod';

type JobDto = z.infer<typeof jobSchema>;

/** Re-renders every active server (RUCHE_RESYNC_INTERVAL_MINUTES). */
export const RESYNC_ALL_JOB = defineJob('provisioning:resync-all', NO_PAYLOAD);

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
    steps: run.steps,
  };
}

/** What sysadmins do to the provisioning queue: watch it, retry, resync. */
@Injectable()
export class OperationsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly servers: ServersService,
    private readonly queue: QueueService,
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
      const waiting = await this.queue.listWaiting(RECONCILE_JOB, { serverId: query.serverId, service: query.service }, query.limit);
      return {
        data: waiting.map((job) => ({
          id: job.id,
          task: 'reconcile',
          serverId: job.payload.serverId,
          service: job.payload.service,
          status: 'queued',
          trigger: job.payload.trigger ?? 'change',
          runAt: job.runAt.toISOString(),
          startedAt: null,
          finishedAt: null,
          durationMs: null,
          attempts: job.attempts,
          filesChanged: 0,
          resourcesApplied: 0,
          resourcesFailed: 0,
          drift: false,
          reloads: 0,
          error: job.lastError,
          steps: null,
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
    await this.state.retry(type, id);
  }

  /** Re-renders a server's services (all active servers' without one) and repairs drift. */
  async resync(serverId?: string): Promise<number> {
    const one = serverId ? await this.servers.byId(serverId) : null;
    if (serverId && !one) throw new NotFound();
    const servers = one ? [one] : await this.servers.withStatus(['active']);
    let queued = 0;
    // Every service the server runs: a worker whose version has no driver for one skips it.
    for (const server of servers) {
      for (const service of server.services) {
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
  @JobHandler(RESYNC_ALL_JOB, { cron: (config) => everyMinutes(PROVISIONING_SETTINGS.of(config).resyncIntervalMinutes) })
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
