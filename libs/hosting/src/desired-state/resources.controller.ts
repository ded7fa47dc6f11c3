import { Controller, Get } from '@nestjs/common';
import { apiPath, Authorize, Doc, pageSchema, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceSearchSchema, resourceSummarySchema } from './resource.schemas.js';
import { ResourceSearchService } from './resource-search.service.js';

@Controller(apiPath('resources'))
export class ResourcesController {
  constructor(private readonly search: ResourceSearchService) {}

  @Get()
  @Authorize('hosting:read')
  @Doc({
    summary: 'Search resources of every type (by name, type, phase, organisation, server) across the organisations you can see, newest first',
    tags: ['resources'],
    response: pageSchema(resourceSummarySchema),
  })
  list(@ValidQuery(resourceSearchSchema) query: z.infer<typeof resourceSearchSchema>) {
    return this.search.search(query);
  }
}
