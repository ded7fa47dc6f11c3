import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, assertStaffScope, AuditService, invalidFields, TransactionalConnection } from '@ruche/core';
import { Server } from '../servers/server.entity.js';
import { Domain } from '../domains/domain.entity.js';
import { DomainsService } from '../domains/domains.service.js';
import { ServersService } from '../servers/servers.service.js';
import { DesiredStateService } from './desired-state.service.js';
import type { HostedResource, Phase, Service } from './hosted-resource.js';
import { RESOURCE_KINDS, type ResourceType } from './resource-kinds.js';

export interface PlacedResource {
  type: ResourceType;
  id: string;
  /** What people call it: the domain, address or database name (null for a site: its host names are elsewhere). */
  name: string | null;
  serverId: string;
  phase: Phase;
}

const NAME_COLUMN: Record<ResourceType, string> = { domain: 'name', site: 'NULL', mailbox: 'address', mail_alias: 'address', database: 'name', database_user: 'name' };

/**
 * Moving an organisation's resources of one service to another server is a change of desired
 * state like any other: each resource gets the new server, a new generation and goes pending;
 * the new server's reconcile makes it there, the old one's leaves it out. The data is another
 * lib's business (moving copies it before and after).
 */
@Injectable()
export class RelocationService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly servers: ServersService,
    private readonly audit: AuditService,
    private readonly domains: DomainsService,
  ) {}

  private kindsOf(service: Service) {
    return Object.values(RESOURCE_KINDS).filter((kind) => kind.services.includes(service));
  }

  /** The organisation's resources of a service, and where each is. */
  async resourcesOf(organizationId: string, service: Service): Promise<PlacedResource[]> {
    assertOrganizationAccess('hosting:read', organizationId);
    const found: PlacedResource[] = [];
    for (const kind of this.kindsOf(service)) {
      const rows = await this.db.query<{ id: string; name: string | null; server_id: string; phase: Phase }>(
        `SELECT id, ${NAME_COLUMN[kind.type]} AS name, server_id, phase FROM ${kind.table} WHERE organization_id = $1 ${kind.type === 'database' || kind.type === 'database_user' ? 'AND engine = $2' : 'AND $2::text IS NOT NULL'} ORDER BY id`,
        [organizationId, service],
      );
      found.push(...rows.map((row) => ({ type: kind.type, id: row.id, name: row.name, serverId: row.server_id, phase: row.phase })));
    }
    return found;
  }

  /** Which organisations have resources of which service on a server (what draining it moves). */
  async holdersOn(serverId: string): Promise<Array<{ organizationId: string; service: Service }>> {
    assertStaffScope('provisioning:admin');
    const holders = new Map<string, { organizationId: string; service: Service }>();
    for (const kind of Object.values(RESOURCE_KINDS)) {
      const engine = kind.type === 'database' || kind.type === 'database_user';
      const rows = await this.db.query<{ organization_id: string; service: string }>(
        `SELECT DISTINCT organization_id, ${engine ? 'engine' : `'${kind.services[0]}'`} AS service FROM ${kind.table} WHERE server_id = $1 AND phase <> 'deleting'`,
        [serverId],
      );
      for (const row of rows) holders.set(`${row.organization_id}:${row.service}`, { organizationId: row.organization_id, service: row.service as Service });
    }
    return [...holders.values()];
  }

  /**
   * Every resource of the service goes to `toServerId`, and so will new ones (the
   * organisation's placement). Both servers reconcile. Resources already there are left alone,
   * so asking again changes nothing.
   */
  async relocate(organizationId: string, service: Service, toServerId: string): Promise<Array<PlacedResource & { fromServerId: string }>> {
    assertStaffScope('provisioning:admin');
    assertOrganizationAccess('hosting:write', organizationId);
    const target = await this.db.getRepository(Server).findOneBy({ id: toServerId });
    if (!target || !target.services.includes(service)) throw invalidFields({ field: 'toServerId', code: 'server_unsuitable' });
    await this.state.lockOrganization(organizationId);
    const moved: Array<PlacedResource & { fromServerId: string }> = [];
    const left = new Set<string>();
    for (const kind of this.kindsOf(service)) {
      const repository = this.db.getRepository(kind.entity);
      const rows = (await repository.findBy({ organizationId, ...(kind.type === 'database' || kind.type === 'database_user' ? { engine: service } : {}) } as never)) as HostedResource[];
      for (const row of rows) {
        if (row.serverId === toServerId || row.phase === 'deleting') continue;
        const fromServerId = row.serverId;
        await repository.update({ id: row.id } as never, { serverId: toServerId } as never);
        await this.state.changed(kind.type, kind.entity, { ...row, serverId: toServerId } as HostedResource, service);
        await this.audit.record({ action: `${kind.type}.relocate`, targetType: kind.type, targetId: row.id, organizationId, before: { serverId: fromServerId }, after: { serverId: toServerId } });
        left.add(fromServerId);
        moved.push({ type: kind.type, id: row.id, name: null, serverId: toServerId, phase: 'pending', fromServerId });
      }
    }
    for (const serverId of left) await this.state.enqueueReconcile(serverId, service);
    if (service === 'web' || service === 'mail') await this.pointRecordsAt(organizationId, service, [...left], target);
    await this.servers.setPlacement(organizationId, { [service]: toServerId });
    return moved;
  }

  /**
   * The organisation's records that named an old server now name the new one: A and AAAA for
   * a web move, MX for a mail move.
   */
  private async pointRecordsAt(organizationId: string, service: 'web' | 'mail', fromServerIds: string[], target: Server): Promise<void> {
    const changed = new Set<string>();
    for (const from of await this.db.getRepository(Server).findBy(fromServerIds.map((id) => ({ id })))) {
      const pairs =
        service === 'web'
          ? ([['A', from.publicIpv4, target.publicIpv4], ['AAAA', from.publicIpv6, target.publicIpv6]] as const)
          : ([['MX', from.publicHostname, target.publicHostname]] as const);
      for (const [type, oldAddress, newAddress] of pairs) {
        if (!oldAddress || !newAddress || oldAddress === newAddress) continue;
        const rows = await this.db.query<{ domain_id: string }>(
          `UPDATE dns_records SET value = $4 WHERE organization_id = $1 AND type = $2 AND value = $3 RETURNING domain_id`,
          [organizationId, type, oldAddress, newAddress],
        );
        for (const row of rows) changed.add(row.domain_id);
      }
    }
    for (const id of changed) await this.domains.touchZone(await this.db.getRepository(Domain).findOneByOrFail({ id }));
  }
}
