export { CoreModule, type CoreModuleOptions } from './core.module.js';
export { coreEntities } from './core.entities.js';
export { coreMigrations } from './migrations/index.js';
export { loadConfig, requireDatabaseUrl, ConfigError, CONFIG, flag, port, positiveInt, type Config, type Locale } from './config/config.js';
export { defineSettings, type FeatureSettings, type SettingsContext } from './config/settings.js';
export { RequestContext, currentActor, type RequestContextData } from './context/request-context.js';
export { TransactionalConnection } from './database/transactional-connection.js';
export { createDataSource } from './database/data-source.js';
export { migrateDatabase, databaseIsMigrated, migrationInProgress, pendingSchemaChanges, MIGRATION_LOCK } from './database/migrate.js';
export { SnakeNamingStrategy } from './database/snake-naming.strategy.js';
export { newId, isId } from './database/ids.js';
export { insertInChunks } from './database/insert-in-chunks.js';
export { SecretBox } from './crypto/secret-box.js';
export { hashPassword, verifyPassword, passwordNeedsRehash, randomToken, sha256 } from './crypto/secrets.js';
export * from './errors/domain-error.js';
export { I18nService, type MessageCatalogue } from './i18n/i18n.service.js';
export { createLogger, LOGGER, type Logger } from './observability/logger.js';
export { Metrics } from './observability/metrics.js';
export { startIdleCollector } from './observability/idle-collector.js';
export { AuditService, type AuditEntry } from './audit/audit.service.js';
export { QueueService, type EnqueueOptions, type WaitingJob, type QueueStats } from './queue/queue.service.js';
export { defineJob, NO_PAYLOAD, type JobDefinition, type JobInput, type JobPayload } from './queue/job.js';
export { QueueWorker, type JobInfo } from './queue/queue-worker.js';
export { JobHandler } from './queue/job-handler.decorator.js';
export { MailService, type MailMessage, type RenderedAttachment, type AttachmentRenderer } from './mail/mail.service.js';
export { OutboundMail, type MailAttachmentReference } from './mail/outbound-mail.entity.js';
export {
  SCOPES,
  STAFF_ROLES,
  ORGANIZATION_ROLES,
  type Actor,
  type Scope,
  type StaffRole,
  type OrganizationRole,
} from './auth/actor.js';
export {
  requireActor,
  assertOrganizationAccess,
  canAccessOrganization,
  visibleOrganizationIds,
  assertStaffScope,
} from './auth/access.js';
export { apiPath, API_V1 } from './http/api-path.js';
export { Authorize, Public, Idempotent, NoTransaction, Doc, ValidBody, ValidQuery, IdParam } from './http/decorators.js';
export { parseOrThrow, invalidFields } from './http/zod-validation.pipe.js';
export { paginate, mapPage, pageQuerySchema, pageSchema, type Page, type PageQuery } from './http/pagination.js';
export { createHttpApplication } from './http/http-application.js';
export { OpenApiGenerator, controllersOf, openApiDocument, routesOf, type RouteInfo } from './openapi/openapi.generator.js';
export { OrganizationsService, type OrganizationCreatedHook, type OrganizationSettingHandler } from './organizations/organizations.service.js';
export { Organization } from './organizations/organization.entity.js';
export { Membership } from './organizations/membership.entity.js';
export { User } from './users/user.entity.js';
export { UsersService } from './users/users.service.js';
export { nameSchema } from './users/user.schemas.js';
export { seedFirstAdministrator } from './seed/first-administrator.js';
export { type RucheFeature } from './feature.js';
