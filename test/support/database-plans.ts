import type { DesiredDatabaseUser, ResourceState } from '@ruche/hosting';
import type { StatePlan } from '../../libs/provisioning/src/drivers/driver.js';
import type { DatabaseStep, DesiredDatabases } from '../../libs/provisioning/src/drivers/database/database-state.js';

/** Desired databases and users for the database drivers' plan tests: each call says only what matters to it. */
let ids = 0;
export function resourceState(type: 'database' | 'database_user', label: string, fields: Partial<ResourceState> = {}): ResourceState {
  return {
    type,
    id: `00000000-0000-7000-8000-${String(++ids).padStart(12, '0')}`,
    organizationId: 'org',
    generation: 1,
    observedGeneration: 1,
    phase: 'ready',
    attempts: 0,
    label,
    ...fields,
  };
}

/** Changed through the API, not applied yet. */
export const pending = { phase: 'pending' as const, generation: 2, observedGeneration: 1 };
export const deleting = { phase: 'deleting' as const, generation: 2 };

export type DesiredDatabase = DesiredDatabases['databases'][number];

export function database(name: string, fields: Partial<ResourceState> = {}, restoreFrom: DesiredDatabase['restoreFrom'] = null): DesiredDatabase {
  return { state: resourceState('database', name, fields), name, restoreFrom };
}

export function user(name: string, databases: string[], passwordVerifier: string, fields: Partial<ResourceState> = {}): DesiredDatabaseUser {
  return { state: resourceState('database_user', name, fields), name, passwordVerifier, databases };
}

export function desired(databases: DesiredDatabase[], users: DesiredDatabaseUser[] = []): DesiredDatabases {
  return { databases, users, archiveDir: '/var/backups/ruche' };
}

export const resourcesOf = (want: DesiredDatabases) => [...want.databases.map((d) => d.state), ...want.users.map((u) => u.state)];

/** A resource's steps in a plan, statements as their text; null when it has none. */
export function stepsOf(plan: StatePlan<DatabaseStep>, resource: { state: ResourceState }) {
  return plan.changes.find((change) => change.resource.id === resource.state.id)?.steps.map((step) => ('sql' in step ? step.sql : step)) ?? null;
}

export function driftOf(plan: StatePlan<DatabaseStep>, resource: { state: ResourceState }) {
  return plan.changes.find((change) => change.resource.id === resource.state.id)?.drift;
}
