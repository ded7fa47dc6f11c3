import { Injectable } from '@nestjs/common';
import { AuditService, Conflict, invalidFields, mapPage, newId, NotFound, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import type { z } from 'zod';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { Domain } from '../domains/domain.entity.js';
import { DomainsService } from '../domains/domains.service.js';
import { DnsRecord } from './dns-record.entity.js';
import { normalizeRecord, RecordError, zoneConflict, type RecordInput, type NormalizedRecord } from './record-rules.js';
import type { recordSchema } from './dns-record.schemas.js';
import { dkimRecordName } from '../mail/dkim.js';

const MAX_RECORDS_PER_ZONE = 1000;

export function toRecordDto(record: DnsRecord, zone: Domain): z.infer<typeof recordSchema> {
  return {
    id: record.id,
    domainId: record.domainId,
    organizationId: record.organizationId,
    type: record.type,
    name: record.name,
    value: record.value,
    ttl: record.ttl,
    priority: record.priority,
    phase: zone.phase,
    lastError: zone.lastError,
    generation: zone.generation,
    observedGeneration: zone.observedGeneration,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** Records are changed one zone at a time: the zone row is locked, so the zone can never be left invalid. */
@Injectable()
export class DnsRecordsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly domains: DomainsService,
    private readonly audit: AuditService,
  ) {}

  private async lockZone(domainId: string): Promise<Domain> {
    const zone = await this.state.visible(Domain, domainId, 'hosting:write', true);
    if (zone.phase === 'deleting') throw new Conflict('resource_deleting');
    return zone;
  }

  private normalize(input: RecordInput, zone: Domain): NormalizedRecord {
    try {
      return normalizeRecord(input, zone.name);
    } catch (error) {
      if (error instanceof RecordError) throw invalidFields({ field: error.field, code: error.problem });
      throw error;
    }
  }

  private async assertFits(zone: Domain, record: NormalizedRecord, replacingId?: string): Promise<void> {
    const existing = await this.db.getRepository(DnsRecord).find({ where: { domainId: zone.id }, select: { id: true, type: true, name: true, value: true } });
    const conflict = zoneConflict(record, existing, replacingId);
    if (conflict) throw new Conflict(conflict, { name: record.name });
    // The domain's DKIM key is Ruche's to publish: a record beside it would make it ambiguous.
    const keys = await this.db.query<{ selector: string }>(`SELECT selector FROM dkim_keys WHERE domain_id = $1`, [zone.id]);
    if (keys.some((key) => record.name === dkimRecordName(key.selector))) throw new Conflict('record_reserved', { name: record.name });
    if (!replacingId && existing.length >= MAX_RECORDS_PER_ZONE) throw new Conflict('zone_full', { limit: MAX_RECORDS_PER_ZONE });
  }

  async create(domainId: string, input: RecordInput): Promise<z.infer<typeof recordSchema>> {
    const zone = await this.lockZone(domainId);
    const record = this.normalize(input, zone);
    await this.assertFits(zone, record);
    const id = newId();
    await this.db.getRepository(DnsRecord).insert({ id, domainId, organizationId: zone.organizationId, ...record });
    await this.audit.record({ action: 'dns_record.create', targetType: 'dns_record', targetId: id, organizationId: zone.organizationId, after: { domain: zone.name, ...record } });
    await this.domains.touchZone(zone);
    return this.get(domainId, id);
  }

  async list(domainId: string, page: PageQuery): Promise<Page<z.infer<typeof recordSchema>>> {
    const zone = await this.state.visible(Domain, domainId, 'hosting:read');
    const qb = this.db.getRepository(DnsRecord).createQueryBuilder('r').where('r.domainId = :domainId', { domainId });
    return mapPage(await paginate(qb, page), (record) => toRecordDto(record, zone));
  }

  async get(domainId: string, id: string): Promise<z.infer<typeof recordSchema>> {
    const zone = await this.state.visible(Domain, domainId, 'hosting:read');
    const record = await this.db.getRepository(DnsRecord).findOneBy({ id, domainId });
    if (!record) throw new NotFound();
    return toRecordDto(record, zone);
  }

  async update(domainId: string, id: string, changes: Partial<Omit<RecordInput, 'type'>>): Promise<z.infer<typeof recordSchema>> {
    const zone = await this.lockZone(domainId);
    const current = await this.db.getRepository(DnsRecord).findOneBy({ id, domainId });
    if (!current) throw new NotFound();
    const normalized = this.normalize(
      {
        type: current.type,
        name: changes.name ?? current.name,
        value: changes.value ?? current.value,
        ttl: changes.ttl ?? current.ttl,
        priority: changes.priority === undefined ? current.priority : changes.priority,
      },
      zone,
    );
    // A stored value is already canonical: normalised again (a TXT text that looks quoted would
    // lose its quotes) it could change though nobody touched it.
    const record = changes.value === undefined ? { ...normalized, value: current.value } : normalized;
    await this.assertFits(zone, record, id);
    await this.db.getRepository(DnsRecord).update({ id }, record);
    await this.audit.record({
      action: 'dns_record.update',
      targetType: 'dns_record',
      targetId: id,
      organizationId: zone.organizationId,
      before: { name: current.name, value: current.value, ttl: current.ttl, priority: current.priority },
      after: record,
    });
    await this.domains.touchZone(zone);
    return this.get(domainId, id);
  }

  async remove(domainId: string, id: string): Promise<void> {
    const zone = await this.lockZone(domainId);
    const record = await this.db.getRepository(DnsRecord).findOneBy({ id, domainId });
    if (!record) throw new NotFound();
    await this.db.getRepository(DnsRecord).delete({ id });
    await this.audit.record({ action: 'dns_record.delete', targetType: 'dns_record', targetId: id, organizationId: zone.organizationId, before: { type: record.type, name: record.name, value: record.value } });
    await this.domains.touchZone(zone);
  }
}
