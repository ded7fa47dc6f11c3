import { Server } from './servers/server.entity.js';
import { OrganizationPlacement } from './servers/organization-placement.entity.js';
import { Plan } from './plans/plan.entity.js';
import { PlanPrice } from './plans/plan-price.entity.js';
import { Subscription } from './plans/subscription.entity.js';
import { QuotaOverride } from './plans/quota-override.entity.js';
import { OrganizationHosting } from './plans/organization-hosting.entity.js';
import { Domain } from './domains/domain.entity.js';
import { DnsRecord } from './dns/dns-record.entity.js';
import { Site } from './sites/site.entity.js';
import { SiteHostname } from './sites/site-hostname.entity.js';
import { Mailbox } from './mail/mailbox.entity.js';
import { MailAlias } from './mail/mail-alias.entity.js';
import { DkimKey } from './mail/dkim-key.entity.js';
import { Database } from './databases/database.entity.js';
import { DatabaseUser } from './databases/database-user.entity.js';
import { ResourceEvent } from './desired-state/resource-event.entity.js';
import { UsageSample } from './usage/usage-sample.entity.js';
import { Archive } from './archives/archive.entity.js';

export const hostingEntities: Function[] = [
  Server,
  OrganizationPlacement,
  Plan,
  PlanPrice,
  Subscription,
  QuotaOverride,
  OrganizationHosting,
  Domain,
  DnsRecord,
  Site,
  SiteHostname,
  Mailbox,
  MailAlias,
  DkimKey,
  Database,
  DatabaseUser,
  ResourceEvent,
  UsageSample,
  Archive,
];
