import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, IdParam, Idempotent, ValidBody, ValidQuery } from '../http/decorators.js';
import { pageQuerySchema, pageSchema, type PageQuery } from '../http/pagination.js';
import { createTokenSchema, createdTokenSchema, tokenSchema } from './token.schemas.js';
import { TokensService } from './tokens.service.js';

/** Tokens are managed from a signed-in session: a token cannot mint tokens. */
@Controller(apiPath('tokens'))
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @Authorize(undefined, { sessionOnly: true })
  @Idempotent()
  @Doc({ summary: 'Create an API token; its secret is in this answer only', tags: ['tokens'], response: createdTokenSchema, status: 201 })
  create(@ValidBody(createTokenSchema) body: z.infer<typeof createTokenSchema>) {
    return this.tokens.create(body);
  }

  @Get()
  @Authorize(undefined, { sessionOnly: true })
  @Doc({ summary: 'Your API tokens, without their secrets', tags: ['tokens'], response: pageSchema(tokenSchema) })
  list(@ValidQuery(pageQuerySchema) query: PageQuery) {
    return this.tokens.list(query);
  }

  /** A token ends itself (a command line signing out); tokens still never mint or list tokens. */
  @Delete('current')
  @HttpCode(204)
  @Authorize()
  @Doc({ summary: 'Revoke the API token this request is authenticated with (signing a command line out)', tags: ['tokens'] })
  async revokeCurrent(): Promise<void> {
    await this.tokens.revokeCurrent();
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize(undefined, { sessionOnly: true })
  @Doc({ summary: 'Revoke an API token', tags: ['tokens'] })
  async revoke(@IdParam() id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}
