import { z } from 'zod';
import { PHASES } from '../desired-state/hosted-resource.js';
import { RECORD_TYPES } from './record-rules.js';

export const createRecordSchema = z.strictObject({
  type: z.enum(RECORD_TYPES),
  name: z.string().max(300),
  value: z.string().max(5000),
  ttl: z.number().int().optional(),
  priority: z.number().int().nullable().optional(),
});

export const updateRecordSchema = z.strictObject({
  name: z.string().max(300).optional(),
  value: z.string().max(5000).optional(),
  ttl: z.number().int().optional(),
  priority: z.number().int().nullable().optional(),
});

/** A record, with the provisioning state of its zone. */
export const recordSchema = z.object({
  id: z.string(),
  domainId: z.string(),
  organizationId: z.string(),
  type: z.enum(RECORD_TYPES),
  name: z.string(),
  value: z.string(),
  ttl: z.number(),
  priority: z.number().nullable(),
  phase: z.enum(PHASES),
  lastError: z.string().nullable(),
  generation: z.number(),
  observedGeneration: z.number(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
