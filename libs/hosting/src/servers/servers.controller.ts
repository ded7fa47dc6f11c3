import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery, type PageQuery } from '@ruche/core';
import type { z } from 'zod';
import { createServerSchema, serverSchema, updateServerSchema } from './server.schemas.js';
import { ServersService, toServerDto } from './servers.service.js';

/** The co-op's servers and the services each runs; for sysadmins. */
@Controller(apiPath('servers'))
export class ServersController {
  constructor(private readonly servers: ServersService) {}

  @Post()
  @Authorize('provisioning:admin')
  @Idempotent()
  @Doc({ summary: 'Declare a server and the services it runs', tags: ['servers'], response: serverSchema, status: 201 })
  async create(@ValidBody(createServerSchema) body: z.infer<typeof createServerSchema>) {
    return toServerDto(await this.servers.register(body), 0);
  }

  @Get()
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Servers, with how many resources each holds', tags: ['servers'], response: pageSchema(serverSchema) })
  list(@ValidQuery(pageQuerySchema) query: PageQuery) {
    return this.servers.list(query);
  }

  @Get(':id')
  @Authorize('provisioning:admin')
  @Doc({ summary: 'One server', tags: ['servers'], response: serverSchema })
  async get(@IdParam() id: string) {
    const server = await this.servers.get(id);
    return toServerDto(server, (await this.servers.resourceCounts([id])).get(id) ?? 0);
  }

  @Patch(':id')
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Pause, drain or resume a server; change its services or public addresses', tags: ['servers'], response: serverSchema })
  async update(@IdParam() id: string, @ValidBody(updateServerSchema) body: z.infer<typeof updateServerSchema>) {
    return toServerDto(await this.servers.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Retire an empty server', tags: ['servers'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.servers.remove(id);
  }
}
