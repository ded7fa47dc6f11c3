import type { RucheFeature } from '@ruche/core';
import { AccountingModule } from './accounting.module.js';
import { accountingEntities } from './accounting.entities.js';
import { accountingMigrations } from './migrations/index.js';

export { AccountingModule };
export const accountingFeature: RucheFeature = { name: 'accounting', module: AccountingModule, entities: accountingEntities, migrations: accountingMigrations };

// What billing (and later timekeeping) posts through, and the checks they add.
export { LedgerService, PeriodClosed, type Posting, type PostingLine, type PostedEntry } from './journal/ledger.service.js';
export { ConsistencyService, type ConsistencyCheck } from './consistency/consistency.service.js';
export { ACCOUNTS } from './accounts/chart.js';
export { AccountUses, type AccountUse } from './accounts/account-uses.js';
// Shared money and CSV helpers: every lib answers money the same way.
export { centsToDecimal, withDecimals } from './shared/money.js';
export { toCsv } from './shared/csv.js';
export { csvOr } from './reports/reports.controller.js';
export { bigintNumber } from './shared/bigint.transformer.js';
