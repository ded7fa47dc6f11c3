import type { RucheFeature } from '@ruche/core';
import { ProvisioningModule } from './provisioning.module.js';

export { ProvisioningModule };

export const provisioningFeature: RucheFeature = { name: 'provisioning', module: ProvisioningModule, entities: [], migrations: [] };
