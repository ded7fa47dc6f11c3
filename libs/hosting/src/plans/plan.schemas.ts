import { nameSchema } from '@ruche/core';
import { z } from 'zod';
import { METERS } from './meters.js';

const quota = z.number().int().min(0).max(10_000_000);
const day = z.iso.date();

export const quotasSchema = z.strictObject({
  domains: quota,
  sites: quota,
  mailboxes: quota,
  mail_storage_mb: quota,
  databases: quota,
  database_storage_mb: quota,
  web_storage_mb: quota,
});

export const createPlanSchema = z.strictObject({
  code: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9-]{1,39}$/, 'validation.plan_code_invalid'),
  nameFr: nameSchema(100),
  nameEn: nameSchema(100),
  quotas: quotasSchema,
  monthlyPriceCents: z.number().int().min(0).max(100_000_000),
  effectiveFrom: day.optional(),
  isDefault: z.boolean().default(false),
});

export const updatePlanSchema = z.strictObject({
  nameFr: nameSchema(100).optional(),
  nameEn: nameSchema(100).optional(),
  quotas: quotasSchema.partial().optional(),
  active: z.boolean().optional(),
  isDefault: z.literal(true).optional(),
});

export const addPriceSchema = z.strictObject({
  effectiveFrom: day,
  monthlyPriceCents: z.number().int().min(0).max(100_000_000),
});

export const planSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  nameFr: z.string(),
  nameEn: z.string(),
  isDefault: z.boolean(),
  active: z.boolean(),
  quotas: z.record(z.enum(METERS), z.number()),
  monthlyPriceCents: z.number().nullable(),
  prices: z.array(z.object({ effectiveFrom: z.string(), monthlyPriceCents: z.number() })),
});

export const subscribeSchema = z.strictObject({ planId: z.uuid(), startsOn: day.optional() });

export const quotaOverridesSchema = z.partialRecord(z.enum(METERS), quota.nullable());

export const hostingProfileSchema = z.object({
  organizationId: z.string(),
  prefix: z.string(),
  plan: planSchema.nullable(),
  subscription: z.object({ planId: z.string(), startsOn: z.string() }).nullable(),
  quotaOverrides: z.record(z.string(), z.number()),
  placement: z.record(z.string(), z.string()),
  /** The co-op's name servers: what to set at the registrar for a domain to be served. */
  nameservers: z.array(z.string()),
});

export const usageSchema = z.object({
  organizationId: z.string(),
  meters: z.array(z.object({ meter: z.enum(METERS), used: z.number(), limit: z.number() })),
});
