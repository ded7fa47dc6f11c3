import type { RucheFeature } from '@ruche/core';
import { TimekeepingModule } from './timekeeping.module.js';
import { timekeepingEntities } from './timekeeping.entities.js';
import { timekeepingMigrations } from './migrations/index.js';
import { TIMEKEEPING_SETTINGS } from './timekeeping.settings.js';

export { TimekeepingModule };
export const timekeepingFeature: RucheFeature = { name: 'timekeeping', module: TimekeepingModule, entities: timekeepingEntities, migrations: timekeepingMigrations, settings: TIMEKEEPING_SETTINGS };
export { TIMEKEEPING_SETTINGS, type TimekeepingSettings } from './timekeeping.settings.js';
