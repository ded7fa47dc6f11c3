import { Module, type OnModuleInit } from '@nestjs/common';
import { I18nService, OrganizationsService } from '@ruche/core';
import { DesiredStateService } from './desired-state/desired-state.service.js';
import { DesiredStateReader } from './desired-state/desired-state.reader.js';
import { ResourceOutcomes } from './desired-state/resource-outcomes.service.js';
import { ArchivesService } from './archives/archives.service.js';
import { ArchivesController } from './archives/archives.controller.js';
import { ResourceEventsController } from './desired-state/resource-events.controller.js';
import { ResourcesController } from './desired-state/resources.controller.js';
import { ResourceSearchService } from './desired-state/resource-search.service.js';
import { RelocationService } from './desired-state/relocation.service.js';
import { ServersService } from './servers/servers.service.js';
import { ServersController } from './servers/servers.controller.js';
import { PlansService } from './plans/plans.service.js';
import { QuotasService } from './plans/quotas.service.js';
import { OrganizationHostingController, PlansController } from './plans/plans.controller.js';
import { DomainsService } from './domains/domains.service.js';
import { DomainsController } from './domains/domains.controller.js';
import { DnsRecordsService } from './dns/dns-records.service.js';
import { SitesService } from './sites/sites.service.js';
import { SitesController } from './sites/sites.controller.js';
import { MailService } from './mail/mail.service.js';
import { MailDnsService } from './mail/mail-dns.service.js';
import { MailboxesController } from './mail/mailboxes.controller.js';
import { AliasesController } from './mail/aliases.controller.js';
import { DatabasesService } from './databases/databases.service.js';
import { DatabasesController, DatabaseUsersController } from './databases/databases.controller.js';
import { UsageService } from './usage/usage.service.js';
import { BillingFactsService } from './usage/billing-facts.service.js';
import { placementSchema } from './servers/server.schemas.js';
import { hostingEn, hostingFr } from './i18n/catalogues.js';
import { parseOrThrow } from '@ruche/core';

/** What clients host: domains, DNS, sites, mail, databases; plans and quotas; desired state for the workers. */
@Module({
  controllers: [
    ServersController,
    PlansController,
    OrganizationHostingController,
    DomainsController,
    SitesController,
    MailboxesController,
    AliasesController,
    DatabasesController,
    DatabaseUsersController,
    ResourceEventsController,
    ResourcesController,
    ArchivesController,
  ],
  providers: [
    ResourceSearchService,
    RelocationService,
    DesiredStateService,
    DesiredStateReader,
    ResourceOutcomes,
    ServersService,
    PlansService,
    QuotasService,
    DomainsService,
    DnsRecordsService,
    SitesService,
    MailService,
    MailDnsService,
    DatabasesService,
    UsageService,
    BillingFactsService,
    ArchivesService,
  ],
  exports: [
    DesiredStateService,
    DesiredStateReader,
    ResourceOutcomes,
    ServersService,
    PlansService,
    QuotasService,
    DomainsService,
    SitesService,
    MailService,
    DatabasesService,
    UsageService,
    BillingFactsService,
    ArchivesService,
    DnsRecordsService,
    ResourceSearchService,
    RelocationService,
  ],
})
export class HostingModule implements OnModuleInit {
  constructor(
    private readonly i18n: I18nService,
    private readonly organizations: OrganizationsService,
    private readonly plans: PlansService,
    private readonly servers: ServersService,
  ) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: hostingEn, fr: hostingFr });
    this.organizations.onOrganizationCreated((organization) => this.plans.setUpOrganization(organization));
    this.organizations.handleSetting('placement', (organizationId, value) =>
      this.servers.setPlacement(organizationId, parseOrThrow(placementSchema, value, 'other')),
    );
  }
}
