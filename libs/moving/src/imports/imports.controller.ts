import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, ValidBody } from '@ruche/core';
import { createImportSchema, importSchema, type CreateImport } from './import.schemas.js';
import { ImportsService } from './imports.service.js';

@Controller(apiPath('imports'))
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('dry-run')
  @HttpCode(200)
  @Authorize('provisioning:admin')
  @Doc({ summary: 'What an import from an AlternC server would make, and each item it cannot carry and why; changes nothing', tags: ['imports'], response: importSchema })
  dryRun(@ValidBody(createImportSchema) body: CreateImport) {
    return this.imports.request({ ...body, dryRun: true });
  }

  @Post()
  @Authorize('provisioning:admin')
  @Idempotent()
  @Doc({ summary: 'Import from an AlternC server (its panel database and files); running it again resumes and carries only what changed', tags: ['imports'], response: importSchema, status: 201 })
  start(@ValidBody(createImportSchema) body: CreateImport) {
    return this.imports.request({ ...body, dryRun: false });
  }

  @Get(':id')
  @Authorize('provisioning:admin')
  @Doc({ summary: 'An import: where it stands, and what became of each item', tags: ['imports'], response: importSchema })
  get(@IdParam() id: string) {
    return this.imports.get(id);
  }
}
