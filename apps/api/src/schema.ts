import { coreEntities, coreMigrations } from '@ruche/core';
import { features } from './features.js';

export const entities = [...coreEntities, ...features.flatMap((feature) => feature.entities)];
export const migrations = [...coreMigrations, ...features.flatMap((feature) => feature.migrations)];
