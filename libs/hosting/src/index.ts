import type { RucheFeature } from '@ruche/core';
import { HostingModule } from './hosting.module.js';
import { hostingEntities } from './hosting.entities.js';
import { hostingMigrations } from './migrations/index.js';
import { HOSTING_SETTINGS } from './hosting.settings.js';

export { HostingModule };
export const hostingFeature: RucheFeature = { name: 'hosting', module: HostingModule, entities: hostingEntities, migrations: hostingMigrations, settings: HOSTING_SETTINGS };
export { HOSTING_SETTINGS, type HostingSettings } from './hosting.settings.js';

// Hosting owns its tables: other libs get plain data and services, never its entities (types only).
// What provisioning reads (desired state) and reports (outcomes, storage), and the reconcile contract.
export { RECONCILE_JOB, RECONCILE_TRIGGERS, reconcileJobKey, DesiredStateService, type ReconcileTrigger } from './desired-state/desired-state.service.js';
export {
  DesiredStateReader,
  type DesiredSite,
  type DesiredZone,
  type DesiredDatabase,
  type DesiredDatabaseUser,
  type DesiredMail,
  type DesiredMailbox,
  type DesiredAlias,
  type DesiredMailDomain,
} from './desired-state/desired-state.reader.js';
export { ResourceOutcomes, noOutcomes, type Outcomes } from './desired-state/resource-outcomes.service.js';
export { ArchivesService, type RestoreFrom, type ExpiredArchive } from './archives/archives.service.js';
export type { ResourceState } from './desired-state/resource-state.js';
export { RESOURCE_KINDS, RESOURCE_TYPES, kindsOf, type ResourceType, type ResourceKind } from './desired-state/resource-kinds.js';
export { PHASES, SERVICES, type Phase, type Service } from './desired-state/hosted-resource.js';
export { TRANSPORTS, type Transport, type ServerStatus } from './servers/server.entity.js';
export type { Server } from './servers/server.entity.js';
export { ServersService, SERVER_REGISTRATION_CHECK, seedLocalServer, type ServerRegistrationCheck } from './servers/servers.service.js';
export { ENGINES, type Engine } from './databases/database.entity.js';
export { txtChunks, normalizeRecord, storedRecordProblem, RecordError, RECORD_TYPES, type RecordType, type NormalizedRecord } from './dns/record-rules.js';
export { METERS, type Meter } from './plans/meters.js';
export { UsageService, SAMPLE_USAGE_JOB } from './usage/usage.service.js';
export { ORGANIZATION_PREFIX, DATABASE_FULL_NAME, isSafeDocumentRoot, redirectProblem, databaseFullName, prefixFromName } from './names/identifiers.js';
export { parseHostName, parseDomainName, isWithin, NameError, CONTROL_CHARACTER } from './names/domain-name.js';
export { parseLocalAddress, parseExternalAddress, AddressError } from './names/mail-address.js';
// The API's request schemas, for tests that check every value they accept renders on the servers.
export { createRecordSchema } from './dns/dns-record.schemas.js';
export { createSiteSchema } from './sites/site.schemas.js';
export { createMailboxSchema, updateMailboxSchema, createAliasSchema } from './mail/mail.schemas.js';
export { DKIM_SELECTOR, dkimRecordName, dkimRecordValue, publicKeyOf } from './mail/dkim.js';
export { dovecotPasswordHash } from './credentials/credential-hashes.js';
export { createDatabaseSchema, createDatabaseUserSchema } from './databases/database.schemas.js';
// The verifiers hosting stores for database users, for tests that check the drivers take every one.
export { databasePasswordVerifier } from './credentials/credential-hashes.js';
// What billing reads: plans, prices and usage over a period.
export { BillingFactsService, type PlanSpan, type PeriodUsage } from './usage/billing-facts.service.js';
// What an import or a move uses to make resources on an organisation's behalf (each checks access and quotas as the API does).
export { DomainsService } from './domains/domains.service.js';
export { DnsRecordsService } from './dns/dns-records.service.js';
export { SitesService } from './sites/sites.service.js';
export { MailService } from './mail/mail.service.js';
export { DatabasesService } from './databases/databases.service.js';
export { PlansService } from './plans/plans.service.js';
export { ResourceSearchService, type ResourcePhase } from './desired-state/resource-search.service.js';
export { RelocationService, type PlacedResource } from './desired-state/relocation.service.js';
