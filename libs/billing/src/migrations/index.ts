import { Billing1796056233205 } from './1796056233205-billing.js';
import { BillingRules1796056233305 } from './1796056233305-billing-rules.js';

export const billingMigrations: Function[] = [Billing1796056233205, BillingRules1796056233305];
