import type { RucheFeature } from '@ruche/core';
import { MovingModule } from './moving.module.js';
import { movingEntities } from './moving.entities.js';
import { movingMigrations } from './migrations/index.js';

export { MovingModule };
export const movingFeature: RucheFeature = { name: 'moving', module: MovingModule, entities: movingEntities, migrations: movingMigrations };
export { planAlterncImport, dovecotSchemeOf, parseZoneLine, handMadeLines, type PlannedItem, type ItemKind } from './alternc/alternc-plan.js';
export { RUN_IMPORT_JOB } from './imports/imports.service.js';
export { RUN_MOVE_JOB } from './moves/moves.service.js';
