import { Controller, Get, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery } from '@ruche/core';
import { z } from 'zod';
import type { Committee } from './committee.entity.js';
import { CommitteesService } from './committees.service.js';

const committeeSchema = z.object({ id: z.string(), code: z.string(), nameFr: z.string(), nameEn: z.string(), kind: z.enum(['permanent', 'ad_hoc']), archived: z.boolean() });
const toDto = (committee: Committee): z.infer<typeof committeeSchema> => ({ id: committee.id, code: committee.code, nameFr: committee.nameFr, nameEn: committee.nameEn, kind: committee.kind, archived: committee.archivedAt !== null });
const name = z.string().trim().min(1).max(200);
const createSchema = z.strictObject({ code: z.string().regex(/^[a-z][a-z0-9_-]{1,39}$/), nameFr: name, nameEn: name });
const updateSchema = z.strictObject({ nameFr: name.optional(), nameEn: name.optional(), archived: z.boolean().optional() });
const listQuery = pageQuerySchema.extend({ includeArchived: z.enum(['true', 'false']).default('false').transform((value) => value === 'true') });

@Controller(apiPath('committees'))
export class CommitteesController {
  constructor(private readonly committees: CommitteesService) {}

  @Get()
  @Authorize('timekeeping:read')
  @Doc({ summary: 'The co-op’s committees, named in French and English (archived ones with includeArchived=true)', tags: ['timekeeping'], response: pageSchema(committeeSchema) })
  async list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>) {
    const page = await this.committees.list(query);
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Authorize('timekeeping:admin')
  @Idempotent()
  @Doc({ summary: 'Add an ad hoc committee (coordinators)', tags: ['timekeeping'], response: committeeSchema, status: 201 })
  async create(@ValidBody(createSchema) body: z.infer<typeof createSchema>) {
    return toDto(await this.committees.create(body));
  }

  @Patch(':id')
  @Authorize('timekeeping:admin')
  @Doc({ summary: 'Rename or archive a committee (coordinators); its meetings stay', tags: ['timekeeping'], response: committeeSchema })
  async update(@IdParam() id: string, @ValidBody(updateSchema) body: z.infer<typeof updateSchema>) {
    return toDto(await this.committees.update(id, body));
  }
}
