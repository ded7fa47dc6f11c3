import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, pageSchema, ValidQuery } from '@ruche/core';
import type { z } from 'zod';
import { archiveSchema, listArchivesSchema, restoredArchiveSchema } from './archive.schemas.js';
import { ArchivesService } from './archives.service.js';

@Controller(apiPath('archives'))
export class ArchivesController {
  constructor(private readonly archives: ArchivesService) {}

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Archives of deleted mailboxes and databases: what, when, size, until when', tags: ['archives'], response: pageSchema(archiveSchema) })
  list(@ValidQuery(listArchivesSchema) query: z.infer<typeof listArchivesSchema>) {
    return this.archives.list(query);
  }

  @Post(':id/restore')
  @HttpCode(202)
  @Authorize('provisioning:admin')
  @Doc({ summary: 'Make the mailbox or database again from its archive (staff); it goes live with its data', tags: ['archives'], response: restoredArchiveSchema, status: 202 })
  restore(@IdParam() id: string) {
    return this.archives.restore(id);
  }
}
