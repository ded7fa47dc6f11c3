import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceListSchema, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { createMailboxSchema, mailboxSchema, updateMailboxSchema } from './mail.schemas.js';
import { MailService, toMailboxDto } from './mail.service.js';

@Controller(apiPath('mailboxes'))
export class MailboxesController {
  constructor(private readonly mail: MailService) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Create a mailbox on one of your mail domains', tags: ['mail'], response: mailboxSchema, status: 201 })
  async create(@ValidBody(createMailboxSchema) body: z.infer<typeof createMailboxSchema>) {
    return toMailboxDto(await this.mail.createMailbox(body));
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Mailboxes you can see', tags: ['mail'], response: pageSchema(mailboxSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.mail.listMailboxes(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One mailbox', tags: ['mail'], response: mailboxSchema })
  async get(@IdParam() id: string) {
    return toMailboxDto(await this.mail.getMailbox(id));
  }

  @Patch(':id')
  @Authorize('hosting:write')
  @Doc({ summary: 'Change a mailbox password or quota', tags: ['mail'], response: mailboxSchema })
  async update(@IdParam() id: string, @ValidBody(updateMailboxSchema) body: z.infer<typeof updateMailboxSchema>) {
    return toMailboxDto(await this.mail.updateMailbox(id, body));
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a mailbox (its mail is archived first)', tags: ['mail'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.mail.removeMailbox(id);
  }
}
