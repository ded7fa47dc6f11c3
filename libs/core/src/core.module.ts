import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, Injectable } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { CONFIG, type Config } from './config/config.js';
import type { FeatureSettings } from './config/settings.js';
import { createDataSource } from './database/data-source.js';
import { TransactionalConnection } from './database/transactional-connection.js';
import { SecretBox } from './crypto/secret-box.js';
import { I18nService } from './i18n/i18n.service.js';
import { LOGGER, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { AuditService } from './audit/audit.service.js';
import { AuditController } from './audit/audit.controller.js';
import { QueueService } from './queue/queue.service.js';
import { QueueWorker } from './queue/queue-worker.js';
import { MailService } from './mail/mail.service.js';
import { AuthService } from './auth/auth.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthController } from './auth/auth.controller.js';
import { TokensService } from './auth/tokens.service.js';
import { TokensController } from './auth/tokens.controller.js';
import { AuthThrottle } from './auth/auth-throttle.service.js';
import { SessionCookies } from './auth/session-cookies.js';
import { InvitationsController } from './users/invitations.controller.js';
import { UsersService } from './users/users.service.js';
import { UsersController } from './users/users.controller.js';
import { InvitationsService } from './users/invitations.service.js';
import { OrganizationsService } from './organizations/organizations.service.js';
import { OrganizationsController } from './organizations/organizations.controller.js';
import { HealthController } from './health/health.controller.js';
import { OpenApiGenerator } from './openapi/openapi.generator.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { ApiExceptionFilter } from './errors/error.filter.js';
import { TransactionInterceptor } from './http/transaction.interceptor.js';
import { IdempotencyInterceptor } from './http/idempotency.interceptor.js';
import { configureValidationMessages } from './http/zod-validation.pipe.js';
import { configureCursorMessage } from './http/pagination.js';
import { coreEntities } from './core.entities.js';
import { coreMigrations } from './migrations/index.js';
import { HousekeepingJobs } from './housekeeping.jobs.js';

export interface CoreModuleOptions {
  config: Config;
  logger: Logger;
  databaseUrl: string;
  /** Entities and migrations of the feature libs the app assembles (core's own are added). */
  entities?: Function[];
  migrations?: Function[];
  /** The features' settings, each provided under its token (their values are in `config.features`). */
  settings?: FeatureSettings[];
  /** `api` mounts the HTTP controllers; `worker` only the services and job handlers. */
  role: 'api' | 'worker';
  applicationName?: string;
}

@Injectable()
class CoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly i18n: I18nService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onModuleInit(): void {
    configureValidationMessages((key, locale) => (this.i18n.has(key) ? this.i18n.t(key, {}, locale) : undefined), this.config.defaultLocale);
    configureCursorMessage((locale) => this.i18n.t('validation.invalid_cursor', {}, locale));
  }

  /** After the HTTP server has drained: in-flight requests still had their database. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Config, database, auth, audit, errors, i18n, queue, logs and metrics: what every feature uses. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreModuleOptions): DynamicModule {
    const http = options.role === 'api';
    return {
      module: CoreModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: CONFIG, useValue: options.config },
        ...(options.settings ?? []).map((settings) => ({ provide: settings.token, useValue: settings.of(options.config) })),
        { provide: LOGGER, useValue: options.logger },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createDataSource({
              url: options.databaseUrl,
              entities: [...coreEntities, ...(options.entities ?? [])],
              migrations: [...coreMigrations, ...(options.migrations ?? [])],
              poolSize: options.config.dbPoolSize,
              applicationName: options.applicationName ?? `ruche-${options.role}`,
            });
            return dataSource.initialize();
          },
        },
        { provide: SecretBox, useFactory: () => SecretBox.fromConfig(options.config) },
        TransactionalConnection,
        I18nService,
        Metrics,
        AuditService,
        QueueService,
        QueueWorker,
        MailService,
        AuthService,
        AuthThrottle,
        SessionCookies,
        TokensService,
        UsersService,
        InvitationsService,
        OrganizationsService,
        OpenApiGenerator,
        HousekeepingJobs,
        CoreLifecycle,
        ...(http
          ? [
              { provide: APP_GUARD, useClass: AuthGuard },
              { provide: APP_INTERCEPTOR, useClass: TransactionInterceptor },
              { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
              { provide: APP_FILTER, useClass: ApiExceptionFilter },
            ]
          : []),
      ],
      controllers: http
        ? [AuthController, TokensController, UsersController, InvitationsController, OrganizationsController, AuditController, HealthController, OpenApiController]
        : [],
      exports: [
        CONFIG,
        ...(options.settings ?? []).map((settings) => settings.token),
        LOGGER,
        DataSource,
        SecretBox,
        TransactionalConnection,
        I18nService,
        Metrics,
        AuditService,
        QueueService,
        QueueWorker,
        MailService,
        AuthService,
        UsersService,
        InvitationsService,
        OrganizationsService,
        OpenApiGenerator,
      ],
    };
  }
}
