import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceListSchema, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { aliasSchema, createAliasSchema, updateAliasSchema } from './mail.schemas.js';
import { MailService, toAliasDto } from './mail.service.js';

@Controller(apiPath('aliases'))
export class AliasesController {
  constructor(private readonly mail: MailService) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Create an alias, forward or catch-all (`*@domain`)', tags: ['mail'], response: aliasSchema, status: 201 })
  async create(@ValidBody(createAliasSchema) body: z.infer<typeof createAliasSchema>) {
    return toAliasDto(await this.mail.createAlias(body));
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Aliases you can see', tags: ['mail'], response: pageSchema(aliasSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.mail.listAliases(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One alias', tags: ['mail'], response: aliasSchema })
  async get(@IdParam() id: string) {
    return toAliasDto(await this.mail.getAlias(id));
  }

  @Patch(':id')
  @Authorize('hosting:write')
  @Doc({ summary: "Change an alias's destinations", tags: ['mail'], response: aliasSchema })
  async update(@IdParam() id: string, @ValidBody(updateAliasSchema) body: z.infer<typeof updateAliasSchema>) {
    return toAliasDto(await this.mail.updateAlias(id, body.destinations));
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete an alias', tags: ['mail'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.mail.removeAlias(id);
  }
}
