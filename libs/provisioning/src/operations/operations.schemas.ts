import { z } from 'zod';
import { RESOURCE_TYPES, SERVICES } from '@ruche/hosting';
import { RUN_STATUSES } from '../reconciler/reconcile-run.entity.js';
import { SERVER_EVENT_KINDS } from './server-event.entity.js';

export const listJobsSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: z.enum([...RUN_STATUSES, 'queued']).optional(),
  serverId: z.uuid().optional(),
  service: z.enum(SERVICES).optional(),
});

export const jobSchema = z.object({
  id: z.string(),
  task: z.literal('reconcile'),
  serverId: z.string(),
  service: z.string(),
  status: z.enum([...RUN_STATUSES, 'queued']),
  trigger: z.string(),
  runAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nullable(),
  attempts: z.number().nullable(),
  filesChanged: z.number(),
  resourcesApplied: z.number(),
  resourcesFailed: z.number(),
  drift: z.boolean(),
  reloads: z.number(),
  error: z.string().nullable(),
  /** Where a finished run's time went, in milliseconds per step, in order, ending with `record` (null while queued or running, for a run whose worker stopped, and for runs older than this field). */
  steps: z.array(z.object({ step: z.string(), ms: z.number() })).nullable(),
});

export const retrySchema = z.strictObject({ resourceType: z.enum(RESOURCE_TYPES), resourceId: z.uuid() });
export const resyncSchema = z.object({ queued: z.number() });

export const listServerEventsSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  serverId: z.uuid().optional(),
  kind: z.enum(SERVER_EVENT_KINDS).optional(),
});

export const serverEventSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  serverId: z.string(),
  service: z.string(),
  kind: z.enum(SERVER_EVENT_KINDS),
  message: z.string(),
  runId: z.string().nullable(),
});
