import { ReconcileRun } from './reconciler/reconcile-run.entity.js';
import { ServerEvent } from './operations/server-event.entity.js';

export const provisioningEntities: Function[] = [ReconcileRun, ServerEvent];
