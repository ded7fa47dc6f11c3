import { ReconcileRun } from './reconciler/reconcile-run.entity.js';

export const provisioningEntities: Function[] = [ReconcileRun];
