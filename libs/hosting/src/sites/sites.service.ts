import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, AuditService, Conflict, invalidFields, newId, TransactionalConnection, type Page } from '@ruche/core';
import type { z } from 'zod';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { resourceState, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { isWithin } from '../names/domain-name.js';
import { QuotasService } from '../plans/quotas.service.js';
import { ServersService } from '../servers/servers.service.js';
import { Site } from './site.entity.js';
import { SiteHostname } from './site-hostname.entity.js';
import type { siteSchema } from './site.schemas.js';

export type SiteDto = z.infer<typeof siteSchema>;

export function toSiteDto(site: Site, hostnames: string[]): SiteDto {
  return {
    ...resourceState(site),
    hostnames,
    documentRoot: site.documentRoot,
    redirectTo: site.redirectTo,
    https: site.https,
    storageBytes: site.storageBytes,
  };
}

@Injectable()
export class SitesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly quotas: QuotasService,
    private readonly servers: ServersService,
    private readonly audit: AuditService,
  ) {}

  /** Each host name must be one of the organisation's domains or below one. */
  private async assertHostnamesOwned(organizationId: string, hostnames: string[]): Promise<void> {
    const domains = await this.db.query<{ name: string }>(`SELECT name FROM domains WHERE organization_id = $1 AND phase <> 'deleting'`, [organizationId]);
    const problems = hostnames
      .map((hostname, index) => ({ hostname, index }))
      .filter(({ hostname }) => !domains.some((domain) => isWithin(hostname, domain.name)))
      .map(({ index }) => ({ field: `hostnames.${index}`, code: 'hostname_not_yours' }));
    if (problems.length > 0) throw invalidFields(...problems);
  }

  /** Claims host names for a site; a name another site holds is refused. */
  private async claimHostnames(siteId: string, hostnames: string[]): Promise<void> {
    const inserted = await this.db
      .getRepository(SiteHostname)
      .createQueryBuilder()
      .insert()
      .values(hostnames.map((hostname, position) => ({ hostname, siteId, position })))
      .orIgnore()
      .returning('hostname')
      .execute();
    if (inserted.raw.length !== hostnames.length) {
      const claimed = new Set((inserted.raw as Array<{ hostname: string }>).map((row) => row.hostname));
      throw new Conflict('hostname_taken', { hostname: hostnames.find((hostname) => !claimed.has(hostname))! });
    }
  }

  async create(input: {
    organizationId: string;
    hostnames: string[];
    documentRoot?: string | undefined;
    redirectTo?: string | undefined;
    https: boolean;
    serverId?: string | undefined;
  }): Promise<SiteDto> {
    assertOrganizationAccess('hosting:write', input.organizationId);
    await this.state.lockOrganization(input.organizationId);
    await this.assertHostnamesOwned(input.organizationId, input.hostnames);
    await this.quotas.assertRoom(input.organizationId, { sites: 1 });
    const server = await this.servers.place(input.organizationId, 'web', input.serverId);
    const site = await this.state.insert(
      'site',
      Site,
      {
        id: newId(),
        organizationId: input.organizationId,
        serverId: server.id,
        documentRoot: input.documentRoot ?? `sites/${input.hostnames[0]}`,
        redirectTo: input.redirectTo ?? null,
        https: input.https,
      },
      'web',
      (row) => ({ hostnames: input.hostnames, documentRoot: row.documentRoot, redirectTo: row.redirectTo, https: row.https }),
      (row) => this.claimHostnames(row.id, input.hostnames),
    );
    return toSiteDto(site, input.hostnames);
  }

  async hostnamesOf(siteIds: string[]): Promise<Map<string, string[]>> {
    if (siteIds.length === 0) return new Map();
    const rows = await this.db.getRepository(SiteHostname).createQueryBuilder('h').where('h.siteId = ANY(:siteIds::uuid[])', { siteIds }).orderBy('h.position').getMany();
    const byId = new Map<string, string[]>();
    for (const row of rows) byId.set(row.siteId, [...(byId.get(row.siteId) ?? []), row.hostname]);
    return byId;
  }

  async get(id: string): Promise<SiteDto> {
    const site = await this.state.visible(Site, id, 'hosting:read');
    return toSiteDto(site, (await this.hostnamesOf([id])).get(id) ?? []);
  }

  async list(query: ResourceListQuery): Promise<Page<SiteDto>> {
    const page = await this.state.list(Site, query);
    const hostnames = await this.hostnamesOf(page.data.map((site) => site.id));
    return { data: page.data.map((site) => toSiteDto(site, hostnames.get(site.id) ?? [])), nextCursor: page.nextCursor };
  }

  async update(
    id: string,
    changes: { hostnames?: string[] | undefined; documentRoot?: string | undefined; redirectTo?: string | null | undefined; https?: boolean | undefined },
  ): Promise<SiteDto> {
    const site = await this.state.visible(Site, id, 'hosting:write', true);
    if (site.phase === 'deleting') throw new Conflict('resource_deleting');
    const before = await this.get(id);
    if (changes.hostnames) {
      await this.assertHostnamesOwned(site.organizationId, changes.hostnames);
      await this.db.getRepository(SiteHostname).delete({ siteId: id });
      await this.claimHostnames(id, changes.hostnames);
    }
    const patch: Partial<Site> = {};
    if (changes.documentRoot !== undefined) patch.documentRoot = changes.documentRoot;
    if (changes.redirectTo !== undefined) patch.redirectTo = changes.redirectTo;
    if (changes.https !== undefined) patch.https = changes.https;
    if (Object.keys(patch).length > 0) await this.db.getRepository(Site).update({ id }, patch);
    const after = await this.get(id);
    await this.audit.record({
      action: 'site.update',
      targetType: 'site',
      targetId: id,
      organizationId: site.organizationId,
      before: { hostnames: before.hostnames, documentRoot: before.documentRoot, redirectTo: before.redirectTo, https: before.https },
      after: { hostnames: after.hostnames, documentRoot: after.documentRoot, redirectTo: after.redirectTo, https: after.https },
    });
    await this.state.changed('site', Site, site, 'web');
    return this.get(id);
  }

  remove(id: string): Promise<void> {
    return this.state.remove('site', Site, id, () => 'web', (site) => ({ documentRoot: site.documentRoot }));
  }
}
