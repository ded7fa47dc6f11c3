import { Controller, Get, Patch, Post } from '@nestjs/common';
import type { z } from 'zod';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, IdParam, Idempotent, ValidBody, ValidQuery } from '../http/decorators.js';
import { pageSchema } from '../http/pagination.js';
import { UsersService, toUserDto } from './users.service.js';
import { createUserSchema, listUsersSchema, updateUserSchema, userSchema } from './user.schemas.js';

/** People and their staff roles; for the co-op's administrators. */
@Controller(apiPath('users'))
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Authorize('users:admin')
  @Idempotent()
  @Doc({ summary: 'Open an account (staff roles, for one); the person chooses a password through the link mailed to them', tags: ['users'], response: userSchema, status: 201 })
  async create(@ValidBody(createUserSchema) body: z.infer<typeof createUserSchema>) {
    return toUserDto(await this.users.create(body));
  }

  @Get()
  @Authorize('users:admin')
  @Doc({ summary: 'List people', tags: ['users'], response: pageSchema(userSchema) })
  list(@ValidQuery(listUsersSchema) query: z.infer<typeof listUsersSchema>) {
    return this.users.list(query);
  }

  @Get(':id')
  @Authorize('users:admin')
  @Doc({ summary: 'One person', tags: ['users'], response: userSchema })
  async get(@IdParam() id: string) {
    return toUserDto(await this.users.get(id));
  }

  @Patch(':id')
  @Authorize('users:admin')
  @Doc({ summary: 'Change a person: name, language, staff roles, disabled', tags: ['users'], response: userSchema })
  async update(@IdParam() id: string, @ValidBody(updateUserSchema) body: z.infer<typeof updateUserSchema>) {
    return toUserDto(await this.users.update(id, body));
  }
}
