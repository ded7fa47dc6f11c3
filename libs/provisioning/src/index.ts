import type { RucheFeature } from '@ruche/core';
import { ProvisioningModule } from './provisioning.module.js';
import { provisioningEntities } from './provisioning.entities.js';
import { provisioningMigrations } from './migrations/index.js';

export { ProvisioningModule };
export const provisioningFeature: RucheFeature = {
  name: 'provisioning',
  module: ProvisioningModule,
  entities: provisioningEntities,
  migrations: provisioningMigrations,
};

export { Reconciler, type ReconcileSummary } from './reconciler/reconciler.service.js';
export { ConnectionPool } from './transports/connection-pool.service.js';
export { OperationsService } from './operations/operations.service.js';
export { StorageMeter, type StorageMeasurement } from './usage/storage-meter.js';
export type { ServiceDriver, DesiredResource, RenderedUnit, Rendered } from './drivers/driver.js';
export { RENDER_TEST_HOOK, type RenderTestHook } from './drivers/driver.js';
export { loadSshIdentity, fingerprint } from './ssh/ssh-identity.js';
