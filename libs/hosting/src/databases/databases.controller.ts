import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceListSchema, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import {
  createDatabaseSchema,
  createDatabaseUserSchema,
  databaseConnectionSchema,
  databaseSchema,
  databaseUserSchema,
  updateDatabaseUserSchema,
} from './database.schemas.js';
import { DatabasesService, toDatabaseDto, toDatabaseUserDto } from './databases.service.js';

@Controller(apiPath('databases'))
export class DatabasesController {
  constructor(private readonly databases: DatabasesService) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Create a MariaDB or PostgreSQL database, named <prefix>_<name>', tags: ['databases'], response: databaseSchema, status: 201 })
  async create(@ValidBody(createDatabaseSchema) body: z.infer<typeof createDatabaseSchema>) {
    return toDatabaseDto(await this.databases.createDatabase(body));
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Databases you can see', tags: ['databases'], response: pageSchema(databaseSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.databases.listDatabases(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One database', tags: ['databases'], response: databaseSchema })
  async get(@IdParam() id: string) {
    return toDatabaseDto(await this.databases.getDatabase(id));
  }

  @Get(':id/connection')
  @Authorize('hosting:read')
  @Doc({ summary: 'How to connect to a database: host, port, name, and the users who may log in to it', tags: ['databases'], response: databaseConnectionSchema })
  connection(@IdParam() id: string) {
    return this.databases.connection(id);
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a database (it is dumped and archived first)', tags: ['databases'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.databases.removeDatabase(id);
  }
}

@Controller(apiPath('database-users'))
export class DatabaseUsersController {
  constructor(private readonly databases: DatabasesService) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({
    summary: 'Create a database user with rights on some of your databases; a generated password is shown once',
    tags: ['databases'],
    response: databaseUserSchema,
    status: 201,
  })
  async create(@ValidBody(createDatabaseUserSchema) body: z.infer<typeof createDatabaseUserSchema>) {
    const { user, generatedPassword } = await this.databases.createUser(body);
    return toDatabaseUserDto(user, generatedPassword);
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Database users you can see', tags: ['databases'], response: pageSchema(databaseUserSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.databases.listUsers(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One database user', tags: ['databases'], response: databaseUserSchema })
  async get(@IdParam() id: string) {
    return toDatabaseUserDto(await this.databases.getUser(id));
  }

  @Patch(':id')
  @Authorize('hosting:write')
  @Doc({ summary: "Change a database user's password or databases", tags: ['databases'], response: databaseUserSchema })
  async update(@IdParam() id: string, @ValidBody(updateDatabaseUserSchema) body: z.infer<typeof updateDatabaseUserSchema>) {
    return toDatabaseUserDto(await this.databases.updateUser(id, body));
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a database user', tags: ['databases'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.databases.removeUser(id);
  }
}
