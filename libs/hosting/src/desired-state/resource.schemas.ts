import { z } from 'zod';
import { PHASES, SERVICES, type HostedResource } from './hosted-resource.js';
import { RESOURCE_TYPES } from './resource-kinds.js';

/** Fields every resource answers with, so a client sees "live", "in progress" or "failed: why". */
export const resourceStateSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  serverId: z.string(),
  phase: z.enum(PHASES),
  lastError: z.string().nullable(),
  generation: z.number(),
  observedGeneration: z.number(),
  attempts: z.number(),
  nextAttemptAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export function resourceState(resource: HostedResource): z.infer<typeof resourceStateSchema> {
  return {
    id: resource.id,
    organizationId: resource.organizationId,
    serverId: resource.serverId,
    phase: resource.phase,
    lastError: resource.lastError,
    generation: resource.generation,
    observedGeneration: resource.observedGeneration,
    attempts: resource.attempts,
    nextAttemptAt: resource.nextAttemptAt?.toISOString() ?? null,
    createdAt: resource.createdAt.toISOString(),
    updatedAt: resource.updatedAt.toISOString(),
  };
}

/** List filters every resource collection takes. */
export const resourceListSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  organizationId: z.uuid().optional(),
});
export type ResourceListQuery = z.infer<typeof resourceListSchema>;

/** Search across every kind of resource (`GET /resources`). */
export const resourceSearchSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  /** Part of the name: a domain (Unicode or ASCII), a site's first host name, an address, a database or user name. */
  q: z.string().max(300).optional(),
  type: z.enum(RESOURCE_TYPES).optional(),
  phase: z.enum(PHASES).optional(),
  organizationId: z.uuid().optional(),
  serverId: z.uuid().optional(),
  /** One resource by its id (with `type`, one answer at most): its state and names in the same shape. */
  id: z.uuid().optional(),
});

export const resourceSummarySchema = z.object({
  type: z.enum(RESOURCE_TYPES),
  /** The service that serves it: web, dns, mail, or the database's engine. */
  service: z.enum(SERVICES),
  id: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  serverId: z.string(),
  name: z.string(),
  phase: z.enum(PHASES),
  lastError: z.string().nullable(),
  generation: z.number(),
  observedGeneration: z.number(),
  attempts: z.number(),
  nextAttemptAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
});
