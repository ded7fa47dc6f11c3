import type { RucheFeature } from '@ruche/core';
import { ProvisioningModule } from './provisioning.module.js';
import { provisioningEntities } from './provisioning.entities.js';
import { provisioningMigrations } from './migrations/index.js';
import { PROVISIONING_SETTINGS } from './provisioning.settings.js';

export { ProvisioningModule };
export const provisioningFeature: RucheFeature = {
  name: 'provisioning',
  module: ProvisioningModule,
  entities: provisioningEntities,
  migrations: provisioningMigrations,
  settings: PROVISIONING_SETTINGS,
};
export { PROVISIONING_SETTINGS, type ProvisioningSettings } from './provisioning.settings.js';

export { Reconciler, type ReconcileSummary } from './reconciler/reconciler.service.js';
export { ConnectionPool } from './transports/connection-pool.service.js';
export { OperationsService } from './operations/operations.service.js';
export { StorageMeter, type StorageMeasurement } from './usage/storage-meter.js';
export { ArchivePurge } from './operations/archive-purge.js';
export { DatabaseHandover } from './drivers/database/database-handover.js';
export type { ServiceDriver, FileDriver, StateDriver, StatePlan, StateChange, StateResult, RenderedUnit, Rendered, Activation, ActivationChange, ReleaseCheck, CheckVerdict } from './drivers/driver.js';
export { RENDER_TEST_HOOK, renderEach, MANAGED_HEADER, type RenderTestHook } from './drivers/driver.js';
export { Driver } from './drivers/driver-registry.js';
export { planRelease, type ReleasePlan } from './reconciler/release-plan.js';
export type { ServerConnection, CommandResult } from './transports/connection.js';
export { loadSshIdentity, fingerprint } from './ssh/ssh-identity.js';
