import type { EntityTarget } from 'typeorm';
import { Domain } from '../domains/domain.entity.js';
import { Site } from '../sites/site.entity.js';
import { Mailbox } from '../mail/mailbox.entity.js';
import { MailAlias } from '../mail/mail-alias.entity.js';
import { Database } from '../databases/database.entity.js';
import { DatabaseUser } from '../databases/database-user.entity.js';
import type { Meter } from '../plans/meters.js';
import type { HostedResource, Service } from './hosted-resource.js';

export const RESOURCE_TYPES = ['domain', 'site', 'mailbox', 'mail_alias', 'database', 'database_user'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface ResourceKind {
  type: ResourceType;
  entity: EntityTarget<HostedResource>;
  /** The table, for SQL written inside hosting (never taken from input). */
  table: string;
  /** The service a row of this kind belongs to (databases: their engine). */
  service: (row: { engine?: string }) => Service;
  /** The services rows of this kind may belong to. */
  services: readonly Service[];
  /** The meter a row counts towards, if any. */
  meter: Meter | null;
  /** The column that holds what a server measured of it (bytes on disk), if any. */
  storageColumn: string | null;
}

/** Every kind of resource a server hosts, in one place: what provisioning, placement, quotas and events agree on. */
export const RESOURCE_KINDS: Readonly<Record<ResourceType, ResourceKind>> = {
  domain: { type: 'domain', entity: Domain, table: 'domains', service: () => 'dns', services: ['dns'], meter: 'domains', storageColumn: null },
  site: { type: 'site', entity: Site, table: 'sites', service: () => 'web', services: ['web'], meter: 'sites', storageColumn: 'storage_bytes' },
  mailbox: { type: 'mailbox', entity: Mailbox, table: 'mailboxes', service: () => 'mail', services: ['mail'], meter: 'mailboxes', storageColumn: 'used_bytes' },
  mail_alias: { type: 'mail_alias', entity: MailAlias, table: 'mail_aliases', service: () => 'mail', services: ['mail'], meter: null, storageColumn: null },
  database: {
    type: 'database',
    entity: Database,
    table: 'databases',
    service: (row) => row.engine as Service,
    services: ['mariadb', 'postgresql'],
    meter: 'databases',
    storageColumn: 'storage_bytes',
  },
  database_user: {
    type: 'database_user',
    entity: DatabaseUser,
    table: 'database_users',
    service: (row) => row.engine as Service,
    services: ['mariadb', 'postgresql'],
    meter: null,
    storageColumn: null,
  },
};

/** The kinds of resource of a service. */
export function kindsOf(service: Service): ResourceKind[] {
  return Object.values(RESOURCE_KINDS).filter((kind) => kind.services.includes(service));
}
