import type { RucheFeature } from '@ruche/core';
import { BillingModule } from './billing.module.js';

export { BillingModule };

export const billingFeature: RucheFeature = { name: 'billing', module: BillingModule, entities: [], migrations: [] };
