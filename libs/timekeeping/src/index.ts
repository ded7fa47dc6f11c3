import type { RucheFeature } from '@ruche/core';
import { TimekeepingModule } from './timekeeping.module.js';

export { TimekeepingModule };

export const timekeepingFeature: RucheFeature = { name: 'timekeeping', module: TimekeepingModule, entities: [], migrations: [] };
