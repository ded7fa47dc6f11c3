import { Injectable } from '@nestjs/common';
import {
  assertOrganizationAccess,
  AuditService,
  Conflict,
  DomainError,
  insertInChunks,
  mapPage,
  newId,
  TransactionalConnection,
  type Page,
} from '@ruche/core';
import type { z } from 'zod';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { resourceState, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { ancestors, type DomainName } from '../names/domain-name.js';
import { belowPattern } from '../names/name-queries.js';
import { QuotasService } from '../plans/quotas.service.js';
import { ServersService } from '../servers/servers.service.js';
import type { Server } from '../servers/server.entity.js';
import { DnsRecord } from '../dns/dns-record.entity.js';
import { DEFAULT_TTL } from '../dns/record-rules.js';
import { Domain } from './domain.entity.js';
import { defaultMailRecords } from '../mail/dkim.js';
import type { domainSchema } from './domain.schemas.js';

export type DomainDto = z.infer<typeof domainSchema>;

export function toDomainDto(domain: Domain): DomainDto {
  return { ...resourceState(domain), name: domain.name, unicodeName: domain.unicodeName, mailEnabled: domain.mailEnabled, serial: domain.serial };
}

/** YYYYMMDDnn for today, the floor of every new serial (RFC 1912 §2.2). */
export function serialFloor(now = new Date()): number {
  return Number(now.toISOString().slice(0, 10).replace(/-/g, '')) * 100;
}

@Injectable()
export class DomainsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly quotas: QuotasService,
    private readonly servers: ServersService,
    private readonly audit: AuditService,
  ) {}

  create(input: { organizationId: string; name: DomainName; mailEnabled: boolean; serverId?: string | undefined }): Promise<Domain> {
    const { organizationId, name, mailEnabled, serverId } = input;
    return this.createMany({ organizationId, serverId, domains: [{ name, mailEnabled }] }).then(([domain]) => domain!);
  }

  /**
   * Adds domains to one organisation, each with its default zone: all of them or, when one is
   * taken or the plan has no room for them all, none.
   */
  async createMany(input: {
    organizationId: string;
    serverId?: string | undefined;
    domains: ReadonlyArray<{ name: DomainName; mailEnabled: boolean }>;
  }): Promise<Domain[]> {
    const { organizationId, domains } = input;
    assertOrganizationAccess('hosting:write', organizationId);
    // Placement first: the organisation's lock is then held only for the count and the writes.
    const server = await this.servers.place(organizationId, 'dns', input.serverId);
    const web = await this.servers.place(organizationId, 'web').catch(() => null);
    const mail = domains.some((domain) => domain.mailEnabled) ? await this.servers.place(organizationId, 'mail').catch(() => null) : null;
    // Names before the organisation, as every creator takes them.
    await this.state.lockNames(domains.map((domain) => domain.name.registrable));
    await this.assertNamesFree(domains.map((domain) => domain.name.ascii), organizationId);
    await this.state.lockOrganization(organizationId);
    await this.quotas.assertRoom(organizationId, { domains: domains.length });
    const serial = serialFloor() + 1;
    return this.state.insertMany(
      'domain',
      Domain,
      domains.map(({ name, mailEnabled }) => ({ id: newId(), organizationId, serverId: server.id, name: name.ascii, unicodeName: name.unicode, mailEnabled, serial })),
      'dns',
      (domain) => ({ name: domain.name, mailEnabled: domain.mailEnabled }),
      (inserted) => this.addDefaultRecords(inserted, web, mail),
    );
  }

  /**
   * A name belongs to one organisation in all of Ruche, and so does everything under it: a
   * client may add subdomains of its own domains only. The answer never says who holds it.
   * One statement for any number of names; "below" is a range on the reversed-name index.
   */
  private async assertNamesFree(names: readonly string[], organizationId: string): Promise<void> {
    const up = names.flatMap((name) => ancestors(name).map((ancestor) => [name, ancestor] as const));
    const reversed = names.map((name) => [...name].reverse().join(''));
    const related = await this.db.query<{ name: string; exact: boolean; organization_id: string }>(
      `SELECT d.name, true AS exact, d.organization_id FROM domains d WHERE d.name = ANY($1::text[])
       UNION ALL
       SELECT u.name, false, d.organization_id FROM unnest($2::text[], $3::text[]) AS u(name, ancestor) JOIN domains d ON d.name = u.ancestor
       UNION ALL
       SELECT a.name, false, d.organization_id FROM unnest($1::text[], $4::text[]) AS a(name, reversed)
         JOIN domains d ON reverse(d.name) ~>=~ (a.reversed || '.') AND reverse(d.name) ~<~ (a.reversed || '/')`,
      [names, up.map(([name]) => name), up.map(([, ancestor]) => ancestor), reversed],
    );
    const taken = related.find((row) => row.exact || row.organization_id !== organizationId);
    // Which one of the list: the name asked for, never the holder.
    if (taken) throw new DomainError('domain_taken', 409, { name: taken.name }, { name: taken.name });
  }

  /**
   * A new zone points at the organisation's web and mail servers, when they have public
   * addresses; a domain with mail also gets SPF and DMARC records the client may edit.
   */
  private async addDefaultRecords(domains: readonly Domain[], web: Server | null, mail: Server | null): Promise<void> {
    const records = domains.flatMap((domain) => {
      const zone: Array<Pick<DnsRecord, 'type' | 'name' | 'value' | 'priority'>> = [];
      if (web?.publicIpv4) zone.push({ type: 'A', name: '@', value: web.publicIpv4, priority: null });
      if (web?.publicIpv6) zone.push({ type: 'AAAA', name: '@', value: web.publicIpv6, priority: null });
      if (web?.publicIpv4 || web?.publicIpv6) zone.push({ type: 'CNAME', name: 'www', value: domain.name, priority: null });
      if (domain.mailEnabled && mail?.publicHostname) zone.push({ type: 'MX', name: '@', value: mail.publicHostname, priority: 10 });
      if (domain.mailEnabled) zone.push(...defaultMailRecords([]));
      return zone.map((record) => ({ id: newId(), domainId: domain.id, organizationId: domain.organizationId, ...record, ttl: DEFAULT_TTL }));
    });
    await insertInChunks(this.db.getRepository(DnsRecord), records);
  }

  get(id: string): Promise<Domain> {
    return this.state.visible(Domain, id, 'hosting:read');
  }

  async list(query: ResourceListQuery): Promise<Page<DomainDto>> {
    return mapPage(await this.state.list(Domain, query), toDomainDto);
  }

  async update(id: string, changes: { mailEnabled?: boolean | undefined }): Promise<Domain> {
    const domain = await this.state.visible(Domain, id, 'hosting:write', true);
    if (domain.phase === 'deleting') throw new Conflict('resource_deleting');
    if (changes.mailEnabled !== undefined && changes.mailEnabled !== domain.mailEnabled) {
      if (!changes.mailEnabled) await this.assertNoMail(domain.id);
      await this.db.getRepository(Domain).update({ id }, { mailEnabled: changes.mailEnabled });
      // Mail turned on: SPF and DMARC defaults, unless the client wrote their own.
      if (changes.mailEnabled) {
        const existing = await this.db.getRepository(DnsRecord).find({ where: { domainId: id }, select: { type: true, name: true, value: true } });
        const added = defaultMailRecords(existing);
        if (added.length > 0) await this.db.getRepository(DnsRecord).insert(added.map((record) => ({ id: newId(), domainId: id, organizationId: domain.organizationId, ...record, ttl: DEFAULT_TTL })));
      }
      await this.audit.record({
        action: 'domain.update',
        targetType: 'domain',
        targetId: id,
        organizationId: domain.organizationId,
        before: { mailEnabled: domain.mailEnabled },
        after: { mailEnabled: changes.mailEnabled },
      });
      await this.touchZone(domain);
    }
    return this.db.getRepository(Domain).findOneByOrFail({ id });
  }

  /** A zone change: new serial and generation, and a reconcile of its DNS server. */
  async touchZone(domain: Domain): Promise<void> {
    await this.db.query(`UPDATE domains SET serial = GREATEST(serial + 1, $2) WHERE id = $1`, [domain.id, serialFloor()]);
    await this.state.changed('domain', Domain, domain, 'dns');
  }

  remove(id: string): Promise<void> {
    return this.state.remove('domain', Domain, id, () => 'dns', (domain) => ({ name: domain.name }), (domain) => this.assertUnused(domain));
  }

  /** A domain goes only when no site answers on it or below it and no mail uses it. */
  private async assertUnused(domain: Domain): Promise<void> {
    // Sites and mail are created under this lock: none can appear between the check and the delete.
    await this.state.lockOrganization(domain.organizationId);
    const [use] = await this.db.query<{ sites: number; mail: number }>(
      `SELECT (SELECT count(*) FROM site_hostnames h WHERE h.hostname = $2 OR reverse(h.hostname) LIKE $3)::int AS sites,
              ((SELECT count(*) FROM mailboxes WHERE domain_id = $1) + (SELECT count(*) FROM mail_aliases WHERE domain_id = $1))::int AS mail`,
      [domain.id, domain.name, belowPattern(domain.name)],
    );
    if (use && (use.sites > 0 || use.mail > 0)) throw new Conflict('domain_in_use', { sites: use.sites, mail: use.mail });
  }

  private async assertNoMail(domainId: string): Promise<void> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM mailboxes WHERE domain_id = $1) + (SELECT count(*) FROM mail_aliases WHERE domain_id = $1))::int AS n`,
      [domainId],
    );
    if (row && row.n > 0) throw new Conflict('domain_in_use', { sites: 0, mail: row.n });
  }
}
