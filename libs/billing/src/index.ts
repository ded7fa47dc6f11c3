import type { RucheFeature } from '@ruche/core';
import { BillingModule } from './billing.module.js';
import { billingEntities } from './billing.entities.js';
import { billingMigrations } from './migrations/index.js';

export { BillingModule };
export const billingFeature: RucheFeature = { name: 'billing', module: BillingModule, entities: billingEntities, migrations: billingMigrations };

// For other libs (timekeeping): lines billed by the next run, once and only once.
export { BillableLinesService, type BillableLineInput, type BillableLineState } from './external/billable-lines.service.js';
export { TAX_CODES, type TaxCode } from './taxes/taxes.js';
