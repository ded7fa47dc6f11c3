import type { RucheFeature } from '@ruche/core';
import { BillingModule } from './billing.module.js';
import { billingEntities } from './billing.entities.js';
import { billingMigrations } from './migrations/index.js';
import { BILLING_SETTINGS } from './billing.settings.js';

export { BillingModule };
export const billingFeature: RucheFeature = { name: 'billing', module: BillingModule, entities: billingEntities, migrations: billingMigrations, settings: BILLING_SETTINGS };
export { BILLING_SETTINGS, type BillingSettings } from './billing.settings.js';

// For other libs (timekeeping): lines billed by the next run, once and only once.
export { BillableLinesService, type BillableLineInput, type BillableLineState } from './external/billable-lines.service.js';
export { TAX_CODES, type TaxCode } from './taxes/taxes.js';
