import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { apiPath, Authorize, Doc, IdParam, Idempotent, pageQuerySchema, pageSchema, ValidBody, ValidQuery, type PageQuery } from '@ruche/core';
import type { z } from 'zod';
import { resourceListSchema, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { createRecordSchema, recordSchema, updateRecordSchema } from '../dns/dns-record.schemas.js';
import { DnsRecordsService } from '../dns/dns-records.service.js';
import { createDomainBatchSchema, createDomainSchema, DOMAIN_BATCH_LIMIT, domainBatchSchema, domainSchema, updateDomainSchema } from './domain.schemas.js';
import { DomainsService, toDomainDto } from './domains.service.js';
import { mailRecordsSchema } from '../mail/mail.schemas.js';
import { MailDnsService } from '../mail/mail-dns.service.js';

@Controller(apiPath('domains'))
export class DomainsController {
  constructor(
    private readonly domains: DomainsService,
    private readonly records: DnsRecordsService,
    private readonly mailDns: MailDnsService,
  ) {}

  @Post()
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Add a domain (Unicode or punycode); it gets a default zone', tags: ['domains'], response: domainSchema, status: 201 })
  async create(@ValidBody(createDomainSchema) body: z.infer<typeof createDomainSchema>) {
    return toDomainDto(await this.domains.create(body));
  }

  @Post('batch')
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({
    summary: `Add up to ${DOMAIN_BATCH_LIMIT} domains to one organisation in one go, each with its default zone: all of them, or none when one is refused`,
    tags: ['domains'],
    response: domainBatchSchema,
    status: 201,
  })
  async createBatch(@ValidBody(createDomainBatchSchema) body: z.infer<typeof createDomainBatchSchema>) {
    return { data: (await this.domains.createMany(body)).map(toDomainDto) };
  }

  @Get()
  @Authorize('hosting:read')
  @Doc({ summary: 'Domains you can see', tags: ['domains'], response: pageSchema(domainSchema) })
  list(@ValidQuery(resourceListSchema) query: ResourceListQuery) {
    return this.domains.list(query);
  }

  @Get(':id')
  @Authorize('hosting:read')
  @Doc({ summary: 'One domain, with its provisioning state', tags: ['domains'], response: domainSchema })
  async get(@IdParam() id: string) {
    return toDomainDto(await this.domains.get(id));
  }

  @Patch(':id')
  @Authorize('hosting:write')
  @Doc({ summary: 'Turn mail on or off for a domain', tags: ['domains'], response: domainSchema })
  async update(@IdParam() id: string, @ValidBody(updateDomainSchema) body: z.infer<typeof updateDomainSchema>) {
    return toDomainDto(await this.domains.update(id, body));
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a domain (no site or mail may use it); it goes once its servers no longer have it', tags: ['domains'] })
  async remove(@IdParam() id: string): Promise<void> {
    await this.domains.remove(id);
  }

  @Get(':id/mail-records')
  @Authorize('hosting:read')
  @Doc({
    summary: "The DNS records the domain's mail needs (MX, SPF, DMARC, DKIM): Ruche's zone has them; a domain whose DNS is served elsewhere adds them there",
    tags: ['domains', 'mail'],
    response: mailRecordsSchema,
  })
  async mailRecords(@IdParam() id: string) {
    return this.mailDns.mailRecords(await this.domains.get(id));
  }

  @Post(':id/records')
  @Authorize('hosting:write')
  @Idempotent()
  @Doc({ summary: 'Add a DNS record to the zone', tags: ['dns'], response: recordSchema, status: 201 })
  createRecord(@IdParam() id: string, @ValidBody(createRecordSchema) body: z.infer<typeof createRecordSchema>) {
    return this.records.create(id, body);
  }

  @Get(':id/records')
  @Authorize('hosting:read')
  @Doc({ summary: 'The records of a zone', tags: ['dns'], response: pageSchema(recordSchema) })
  listRecords(@IdParam() id: string, @ValidQuery(pageQuerySchema) query: PageQuery) {
    return this.records.list(id, query);
  }

  @Get(':id/records/:recordId')
  @Authorize('hosting:read')
  @Doc({ summary: 'One DNS record', tags: ['dns'], response: recordSchema })
  getRecord(@IdParam() id: string, @IdParam('recordId') recordId: string) {
    return this.records.get(id, recordId);
  }

  @Patch(':id/records/:recordId')
  @Authorize('hosting:write')
  @Doc({ summary: 'Change a DNS record (not its type)', tags: ['dns'], response: recordSchema })
  updateRecord(@IdParam() id: string, @IdParam('recordId') recordId: string, @ValidBody(updateRecordSchema) body: z.infer<typeof updateRecordSchema>) {
    return this.records.update(id, recordId, body);
  }

  @Delete(':id/records/:recordId')
  @HttpCode(204)
  @Authorize('hosting:write')
  @Doc({ summary: 'Delete a DNS record', tags: ['dns'] })
  async removeRecord(@IdParam() id: string, @IdParam('recordId') recordId: string): Promise<void> {
    await this.records.remove(id, recordId);
  }
}
