import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  assertOrganizationAccess,
  assertStaffScope,
  AuditService,
  Conflict,
  DomainError,
  Forbidden,
  NotFound,
  newId,
  paginate,
  requireActor,
  TransactionalConnection,
  invalidFields,
  type Page,
  type PageQuery,
} from '@ruche/core';
import { In } from 'typeorm';
import type { z } from 'zod';
import { SERVICES, type Service } from '../desired-state/hosted-resource.js';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { kindsOf, RESOURCE_KINDS } from '../desired-state/resource-kinds.js';
import { Server } from './server.entity.js';
import { OrganizationPlacement } from './organization-placement.entity.js';
import type { createServerSchema, serverSchema, updateServerSchema } from './server.schemas.js';

/**
 * Provisioning plugs in here to reach a server when it is registered (pin its host key,
 * check its services). Hosting declares the hook and never imports provisioning.
 */
export const SERVER_REGISTRATION_CHECK = Symbol('ruche.server-registration-check');
export interface ServerRegistrationCheck {
  /** May fill in `hostKeyFingerprint`; throws a DomainError when the server is not fit. */
  verify(server: Server): Promise<Partial<Pick<Server, 'hostKeyFingerprint'>>>;
}

const RESOURCE_COUNT_SQL = Object.values(RESOURCE_KINDS)
  .map((kind) => `SELECT server_id FROM ${kind.table}`)
  .join(' UNION ALL ');

/** SQL counting a server's (`s`) resources of one service (names from the registry, never from input). */
function serviceResourcesSql(service: Service): string {
  return kindsOf(service)
    .map((kind) => `(SELECT count(*) FROM ${kind.table} k WHERE k.server_id = s.id${kind.services.length > 1 ? ` AND k.engine = '${service}'` : ''})`)
    .join(' + ');
}

/** How a server's load for one service is counted when placing: its resources of that service. */
const SERVICE_LOAD_SQL = Object.fromEntries(SERVICES.map((service) => [service, serviceResourcesSql(service)])) as Record<Service, string>;

export function toServerDto(server: Server, resourceCount?: number): z.infer<typeof serverSchema> {
  return {
    id: server.id,
    name: server.name,
    address: server.address,
    port: server.port,
    transport: server.transport,
    services: server.services,
    status: server.status,
    publicIpv4: server.publicIpv4,
    publicIpv6: server.publicIpv6,
    publicHostname: server.publicHostname,
    hostKeyFingerprint: server.hostKeyFingerprint,
    sshUser: server.sshUser,
    ...(resourceCount !== undefined ? { resourceCount } : {}),
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}

@Injectable()
export class ServersService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly state: DesiredStateService,
    @Optional() @Inject(SERVER_REGISTRATION_CHECK) private readonly registrationCheck?: ServerRegistrationCheck,
  ) {}

  async register(input: z.infer<typeof createServerSchema>): Promise<Server> {
    assertStaffScope('provisioning:admin');
    const repository = this.db.getRepository(Server);
    if (await repository.findOneBy({ name: input.name })) throw new Conflict('server_name_taken', { name: input.name });
    const server = repository.create({
      id: newId(),
      ...input,
      publicIpv4: input.publicIpv4 ?? null,
      publicIpv6: input.publicIpv6 ?? null,
      publicHostname: input.publicHostname ?? null,
      hostKeyFingerprint: input.hostKeyFingerprint ?? null,
      status: 'active',
    });
    if (this.registrationCheck) Object.assign(server, await this.registrationCheck.verify(server));
    await repository.insert(server);
    const saved = await repository.findOneByOrFail({ id: server.id });
    await this.audit.record({ action: 'server.create', targetType: 'server', targetId: saved.id, after: toServerDto(saved) });
    // Each service is set up at once (folders, the daemon's include, a first release serving
    // nothing): the sysadmin hears now of a service that cannot be, and a client's first site
    // does not wait for it.
    for (const service of saved.services) await this.state.enqueueReconcile(saved.id, service);
    return saved;
  }

  async list(page: PageQuery): Promise<Page<z.infer<typeof serverSchema>>> {
    assertStaffScope('provisioning:admin');
    const result = await paginate(this.db.getRepository(Server).createQueryBuilder('s'), page);
    const counts = await this.resourceCounts(result.data.map((server) => server.id));
    return { data: result.data.map((server) => toServerDto(server, counts.get(server.id) ?? 0)), nextCursor: result.nextCursor };
  }

  async get(id: string): Promise<Server> {
    assertStaffScope('provisioning:admin');
    const server = await this.db.getRepository(Server).findOneBy({ id });
    if (!server) throw new NotFound();
    return server;
  }

  async resourceCounts(serverIds: string[]): Promise<Map<string, number>> {
    if (serverIds.length === 0) return new Map();
    const rows = await this.db.query<{ server_id: string; n: number }>(
      `SELECT server_id, count(*)::int AS n FROM (${RESOURCE_COUNT_SQL}) r WHERE server_id = ANY($1::uuid[]) GROUP BY server_id`,
      [serverIds],
    );
    return new Map(rows.map((row) => [row.server_id, row.n]));
  }

  async update(id: string, changes: z.infer<typeof updateServerSchema>): Promise<Server> {
    const before = await this.get(id);
    const repository = this.db.getRepository(Server);
    if (changes.services) {
      const removed = before.services.filter((service) => !changes.services!.includes(service));
      if (removed.length > 0 && ((await this.resourceCounts([id])).get(id) ?? 0) > 0) {
        const inUse = await this.servicesInUse(id);
        const blocking = removed.filter((service) => inUse.has(service));
        if (blocking.length > 0) throw new Conflict('server_service_in_use', { service: blocking.join(', ') });
      }
    }
    const patch = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(patch).length > 0) await repository.update({ id }, patch);
    const after = await repository.findOneByOrFail({ id });
    // The web server listens on IPv6 when the server has an address: its sites wait for the
    // run that renders it again (and goes live only when they are ready again).
    if ((before.publicIpv6 === null) !== (after.publicIpv6 === null) && after.services.includes('web')) await this.state.changedOnServer('site', id, 'web');
    // Jobs of a paused server waited: resuming it starts them again.
    if (before.status === 'paused' && after.status !== 'paused') {
      for (const service of after.services) await this.state.enqueueReconcile(id, service);
    }
    await this.audit.record({ action: 'server.update', targetType: 'server', targetId: id, before: toServerDto(before), after: toServerDto(after) });
    return after;
  }

  async remove(id: string): Promise<void> {
    const server = await this.get(id);
    if (((await this.resourceCounts([id])).get(id) ?? 0) > 0) throw new Conflict('server_not_empty', { name: server.name });
    // Archives live on the server: it goes once they are purged (or their time is up and purged).
    const [archive] = await this.db.query(`SELECT 1 FROM archives WHERE server_id = $1 AND status <> 'purged' LIMIT 1`, [id]);
    if (archive) throw new Conflict('server_not_empty', { name: server.name });
    await this.db.getRepository(OrganizationPlacement).delete({ serverId: id });
    await this.db.getRepository(Server).delete({ id });
    await this.audit.record({ action: 'server.delete', targetType: 'server', targetId: id, before: toServerDto(server) });
  }

  private async servicesInUse(serverId: string): Promise<Set<Service>> {
    const [row] = await this.db.query<Record<string, string>>(
      `SELECT ${SERVICES.map((service) => `${SERVICE_LOAD_SQL[service]} AS ${service}`).join(', ')} FROM servers s WHERE s.id = $1`,
      [serverId],
    );
    return new Set(SERVICES.filter((service) => Number(row?.[service] ?? 0) > 0));
  }

  /** A server by id, for the workers (no caller to check: they act for the co-op). */
  async byId(id: string): Promise<Server | null> {
    return this.db.getRepository(Server).findOneBy({ id });
  }

  /** Servers in these states, by name (the workers' periodic jobs). */
  async withStatus(statuses: readonly Server['status'][]): Promise<Server[]> {
    return this.db.getRepository(Server).find({ where: { status: In([...statuses]) }, order: { name: 'ASC' } });
  }

  // --- placement ------------------------------------------------------------------------

  /**
   * Where a new resource of `service` goes: where staff asked (`requested`), else the
   * organisation's assigned server, else the active server offering it with fewest resources
   * (a paused one if none is active: its jobs wait for it).
   */
  async place(organizationId: string, service: Service, requested?: string | null): Promise<Server> {
    const servers = this.db.getRepository(Server);
    if (requested) {
      if (requireActor().grants.get('provisioning:admin') !== 'all') throw new Forbidden('missing_scope', { scope: 'provisioning:admin' });
      const server = await servers.findOneBy({ id: requested });
      if (!server || !server.services.includes(service)) {
        throw invalidFields({ field: 'serverId', code: 'server_unsuitable' });
      }
      return server;
    }
    // One statement: the server staff assigned for this service, else the least loaded.
    // Draining servers take nothing new; paused ones only when no active one offers the service.
    const least = await servers
      .createQueryBuilder('s')
      .leftJoin(OrganizationPlacement, 'p', 'p.organizationId = :organizationId AND p.service = :service', { organizationId, service })
      .where(`CASE WHEN p.serverId IS NULL THEN s.status <> 'draining' AND :service = ANY(s.services) ELSE s.id = p.serverId END`)
      .orderBy(`s.status = 'paused'`, 'ASC')
      .addOrderBy(SERVICE_LOAD_SQL[service], 'ASC')
      .addOrderBy('s.name', 'ASC')
      .limit(1)
      .getOne();
    if (!least) throw new DomainError('no_server_available', 409, { service });
    return least;
  }

  async placementOf(organizationId: string): Promise<Partial<Record<Service, string>>> {
    const rows = await this.db.getRepository(OrganizationPlacement).findBy({ organizationId });
    return Object.fromEntries(rows.map((row) => [row.service, row.serverId]));
  }

  /** Staff assign (or, with null, release) an organisation's server per service. */
  async setPlacement(organizationId: string, placement: Partial<Record<Service, string | null>>): Promise<void> {
    assertStaffScope('provisioning:admin');
    assertOrganizationAccess('hosting:write', organizationId);
    const before = await this.placementOf(organizationId);
    const repository = this.db.getRepository(OrganizationPlacement);
    for (const [service, serverId] of Object.entries(placement) as Array<[Service, string | null]>) {
      if (serverId === null) {
        await repository.delete({ organizationId, service });
        continue;
      }
      const server = await this.db.getRepository(Server).findOneBy({ id: serverId });
      if (!server || !server.services.includes(service)) {
        throw invalidFields({ field: `placement.${service}`, code: 'server_unsuitable' });
      }
      await repository.upsert({ organizationId, service, serverId }, ['organizationId', 'service']);
    }
    await this.audit.record({
      action: 'organization.placement',
      targetType: 'organization',
      targetId: organizationId,
      organizationId,
      before,
      after: await this.placementOf(organizationId),
    });
  }
}

/**
 * The embedded default's server: a folder under the data directory (`var/servers/local`)
 * running every service, so that a fresh start has somewhere to place resources.
 */
export async function seedLocalServer(dataSource: import('typeorm').DataSource): Promise<boolean> {
  const repository = dataSource.getRepository(Server);
  if (await repository.findOneBy({ name: 'local' })) return false;
  await repository
    .createQueryBuilder()
    .insert()
    .values({ id: newId(), name: 'local', address: 'localhost', port: 22, transport: 'local', services: [...SERVICES], status: 'active', publicIpv4: '127.0.0.1', publicHostname: 'localhost' })
    .orIgnore()
    .execute();
  return true;
}
