import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { I18nService } from '@ruche/core';
import { HostingModule, SERVER_REGISTRATION_CHECK } from '@ruche/hosting';
import { ConnectionPool } from './transports/connection-pool.service.js';
import { DriverRegistry } from './drivers/driver-registry.js';
import { NginxDriver } from './drivers/web/nginx.driver.js';
import { KnotDriver } from './drivers/dns/knot.driver.js';
import { MailDriver } from './drivers/mail/mail.driver.js';
import { MariadbDriver } from './drivers/database/mariadb.driver.js';
import { PostgresqlDriver } from './drivers/database/postgresql.driver.js';
import { DatabaseHandover } from './drivers/database/database-handover.js';
import { Reconciler } from './reconciler/reconciler.service.js';
import { ServerRegistration } from './registration/server-registration.js';
import { ProvisioningMetrics } from './operations/provisioning-metrics.js';
import { OperationsService } from './operations/operations.service.js';
import { StorageMeter } from './usage/storage-meter.js';
import { ArchivePurge } from './operations/archive-purge.js';
import { JobsController, ServerEventsController, ServerOperationsController } from './operations/operations.controller.js';
import { provisioningEn, provisioningFr } from './i18n/catalogues.js';

/**
 * Global so that hosting's ServersService sees SERVER_REGISTRATION_CHECK without importing
 * provisioning. Turns hosting's desired state into configuration on servers: transports, drivers, the
 * reconciler (a job handler, run by apps/worker) and the sysadmin operations.
 */
@Global()
@Module({
  imports: [HostingModule, DiscoveryModule],
  controllers: [JobsController, ServerOperationsController, ServerEventsController],
  providers: [
    ConnectionPool,
    NginxDriver,
    KnotDriver,
    MailDriver,
    MariadbDriver,
    PostgresqlDriver,
    DatabaseHandover,
    DriverRegistry,
    Reconciler,
    ServerRegistration,
    // Global, so hosting's ServersService finds it without importing provisioning.
    { provide: SERVER_REGISTRATION_CHECK, useExisting: ServerRegistration },
    ProvisioningMetrics,
    OperationsService,
    StorageMeter,
    ArchivePurge,
  ],
  exports: [Reconciler, ConnectionPool, DatabaseHandover, OperationsService, StorageMeter, ServerRegistration, SERVER_REGISTRATION_CHECK],
})
export class ProvisioningModule implements OnModuleInit {
  constructor(private readonly i18n: I18nService) {}

  onModuleInit(): void {
    this.i18n.addCatalogues({ en: provisioningEn, fr: provisioningFr });
  }
}
