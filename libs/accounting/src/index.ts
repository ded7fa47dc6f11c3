import type { RucheFeature } from '@ruche/core';
import { AccountingModule } from './accounting.module.js';

export { AccountingModule };

export const accountingFeature: RucheFeature = { name: 'accounting', module: AccountingModule, entities: [], migrations: [] };
