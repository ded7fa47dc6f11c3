import { Controller, Get } from '@nestjs/common';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, ValidQuery } from '../http/decorators.js';
import { mapPage, pageSchema, paginate, type Page } from '../http/pagination.js';
import { AuditEvent } from './audit-event.entity.js';
import { auditEventSchema, listAuditEventsSchema, type ListAuditEvents } from './audit.schemas.js';

@Controller(apiPath('audit-events'))
export class AuditController {
  constructor(private readonly db: TransactionalConnection) {}

  @Get()
  @Authorize('audit:read')
  @Doc({ summary: 'List audit events, newest first', tags: ['audit'], response: pageSchema(auditEventSchema) })
  async list(@ValidQuery(listAuditEventsSchema) query: ListAuditEvents): Promise<Page<unknown>> {
    // audit:read is held by staff only, across all organisations.
    const qb = this.db.getRepository(AuditEvent).createQueryBuilder('a');
    if (query.actorUserId) qb.andWhere('a.actorUserId = :actorUserId', { actorUserId: query.actorUserId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.targetType) qb.andWhere('a.targetType = :targetType', { targetType: query.targetType });
    if (query.targetId) qb.andWhere('a.targetId = :targetId', { targetId: query.targetId });
    if (query.organizationId) qb.andWhere('a.organizationId = :organizationId', { organizationId: query.organizationId });
    if (query.from) qb.andWhere('a.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.at < :to', { to: query.to });
    const page = await paginate(qb, query, 'DESC');
    return mapPage(page, (event) => ({ ...event, at: event.at.toISOString() }));
  }
}
