import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceListSchema, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { createSiteSchema, siteSchema, updateSiteSchema } from './site.schemas.js';
import { SitesService } from './sites.service.js';

@Controller(apiPath('sites'))
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Publish a website on host names of your domains', tags: ['sites'], response: siteSchema, status: 201 })
  create(@ValidBody(createSiteSchema) body: z.infer<typeof createSiteSchema>) {
    return this.sites.create(body);
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Websites you can see', tags: ['sites'], response: pageSchema(siteSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.sites.list(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One website', tags: ['sites'], response: siteSchema })
  get(@IdParam() id: string) {
    return this.sites.get(id);
  }

  @Patch(':id')
  @Authorize('hosting:write')
  @Doc({ summary: 'Change host names, document root, redirect or HTTPS', tags: ['sites'], response: siteSchema })
  update(@IdParam() id: string, @ValidBody(updateSiteSchema) body: z.infer<typeof updateSiteSchema>) {
    return this.sites.update(id, body);
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a website; it goes once its server no longer serves it', tags: ['sites'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.sites.remove(id);
  }
}
