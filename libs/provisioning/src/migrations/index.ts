import { Provisioning1795612904614 } from './1795612904614-provisioning.js';
import { ServerEvents1796057040502 } from './1796057040502-server-events.js';
import { ReconcileRunSteps1796090000000 } from './1796090000000-reconcile-run-steps.js';
import { ServerEventCleanupSkipped1796090000200 } from './1796090000200-server-event-cleanup-skipped.js';

export const provisioningMigrations: Function[] = [Provisioning1795612904614, ServerEvents1796057040502, ReconcileRunSteps1796090000000, ServerEventCleanupSkipped1796090000200];
