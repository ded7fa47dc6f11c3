import { Controller, Get } from '@nestjs/common';
import { apiPath, Authorize, Doc, mapPage, paginate, TransactionalConnection, ValidQuery, visibleOrganizationIds } from '@ruche/core';
import { z } from 'zod';
import { ResourceEvent } from './resource-event.entity.js';
import { RESOURCE_TYPES } from './resource-kinds.js';

const listEventsSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  resourceId: z.uuid().optional(),
  resourceType: z.enum(RESOURCE_TYPES).optional(),
  organizationId: z.uuid().optional(),
});

const eventSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  organizationId: z.string(),
  resourceType: z.enum(RESOURCE_TYPES),
  resourceId: z.string(),
  kind: z.string(),
  fromPhase: z.string().nullable(),
  toPhase: z.string().nullable(),
  generation: z.number(),
  message: z.string().nullable(),
});

/** What happened to resources: phase changes, repaired drift. Newest first. */
@Controller(apiPath('resource-events'))
export class ResourceEventsController {
  constructor(private readonly db: TransactionalConnection) {}

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Resource events (phase changes, repaired drift), newest first', tags: ['events'], response: z.object({ data: z.array(eventSchema), nextCursor: z.string().nullable() }) })
  async list(@ValidQuery(listEventsSchema) query: z.infer<typeof listEventsSchema>) {
    const visible = visibleOrganizationIds('hosting:read');
    const qb = this.db.getRepository(ResourceEvent).createQueryBuilder('e');
    if (visible !== 'all') qb.andWhere('e.organizationId = ANY(:visible::uuid[])', { visible });
    if (query.resourceId) qb.andWhere('e.resourceId = :resourceId', { resourceId: query.resourceId });
    if (query.resourceType) qb.andWhere('e.resourceType = :resourceType', { resourceType: query.resourceType });
    if (query.organizationId) qb.andWhere('e.organizationId = :organizationId', { organizationId: query.organizationId });
    return mapPage(await paginate(qb, query, 'DESC'), (event) => ({ ...event, at: event.at.toISOString() }));
  }
}
