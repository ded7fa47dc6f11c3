import type { RucheFeature } from '@ruche/core';
import { HostingModule } from './hosting.module.js';
import { hostingEntities } from './hosting.entities.js';
import { hostingMigrations } from './migrations/index.js';

export { HostingModule };
export const hostingFeature: RucheFeature = { name: 'hosting', module: HostingModule, entities: hostingEntities, migrations: hostingMigrations };

// What provisioning reads and writes: desired state, its entities, and the reconcile contract.
export { RECONCILE_TASK, reconcileJobKey, DesiredStateService, type ReconcilePayload } from './desired-state/desired-state.service.js';
export { HostedResource, PHASES, SERVICES, type Phase, type Service } from './desired-state/hosted-resource.js';
export { ResourceEvent, RESOURCE_TYPES, type ResourceType } from './desired-state/resource-event.entity.js';
export { Server, TRANSPORTS, type Transport, type ServerStatus } from './servers/server.entity.js';
export { ServersService, SERVER_REGISTRATION_CHECK, seedLocalServer, type ServerRegistrationCheck } from './servers/servers.service.js';
export { Domain } from './domains/domain.entity.js';
export { DnsRecord } from './dns/dns-record.entity.js';
export { txtChunks, RECORD_TYPES, type RecordType } from './dns/record-rules.js';
export { Site } from './sites/site.entity.js';
export { SiteHostname } from './sites/site-hostname.entity.js';
export { Mailbox } from './mail/mailbox.entity.js';
export { MailAlias } from './mail/mail-alias.entity.js';
export { Database, type Engine } from './databases/database.entity.js';
export { DatabaseUser } from './databases/database-user.entity.js';
export { OrganizationHosting } from './plans/organization-hosting.entity.js';
export { UsageSample } from './usage/usage-sample.entity.js';
export { METERS, type Meter } from './plans/meters.js';
export { UsageService } from './usage/usage.service.js';
// What billing reads: plans, prices and usage over a period.
export { BillingFactsService, type PlanSpan, type PeriodUsage } from './usage/billing-facts.service.js';
export { ORGANIZATION_PREFIX, DATABASE_FULL_NAME, isSafeDocumentRoot } from './names/identifiers.js';
export { parseHostName, isWithin } from './names/domain-name.js';
