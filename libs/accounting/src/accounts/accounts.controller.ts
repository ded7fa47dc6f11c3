import { Controller, Get, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { z } from 'zod';
import { accountSchema, createAccountSchema, updateAccountSchema } from './account.schemas.js';
import { AccountsService } from './accounts.service.js';

@Controller(apiPath('accounting/accounts'))
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @Authorize('accounting:read')
  @Doc({ summary: 'The chart of accounts (every worker reads it)', tags: ['accounting'], response: z.object({ data: z.array(accountSchema) }) })
  async list() {
    return { data: (await this.accounts.list()).map((account) => this.accounts.toDto(account)) };
  }

  @Post()
  @Authorize('accounting:write')
  @Idempotent()
  @Doc({ summary: 'Add an account to the chart (accountants)', tags: ['accounting'], response: accountSchema, status: 201 })
  async create(@ValidBody(createAccountSchema) body: z.infer<typeof createAccountSchema>) {
    return this.accounts.toDto(await this.accounts.create(body));
  }

  @Patch(':id')
  @Authorize('accounting:write')
  @Doc({ summary: "Rename an account or retire it (accountants; its code and type stay)", tags: ['accounting'], response: accountSchema })
  async update(@IdParam() id: string, @ValidBody(updateAccountSchema) body: z.infer<typeof updateAccountSchema>) {
    return this.accounts.toDto(await this.accounts.update(id, body));
  }
}
