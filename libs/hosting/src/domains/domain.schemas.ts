import { z } from 'zod';
import { NameError, parseDomainName } from '../names/domain-name.js';
import { resourceStateSchema } from '../desired-state/resource.schemas.js';

/** A domain name field: refuses with the DNS rule that failed (`validation.<problem>`). */
export const domainNameSchema = z.string().max(1000).transform((value, ctx) => {
  try {
    return parseDomainName(value);
  } catch (error) {
    if (!(error instanceof NameError)) throw error;
    ctx.addIssue({ code: 'custom', message: `validation.${error.problem}` });
    return z.NEVER;
  }
});

export const createDomainSchema = z.strictObject({
  organizationId: z.uuid(),
  name: domainNameSchema,
  mailEnabled: z.boolean().default(true),
  serverId: z.uuid().optional(),
});

/** The most domains one batch adds (one transaction: the whole batch or nothing). */
export const DOMAIN_BATCH_LIMIT = 1000;

/** Several domains of one organisation at once (moving a client in, a script): all or none. */
export const createDomainBatchSchema = z.strictObject({
  organizationId: z.uuid(),
  serverId: z.uuid().optional(),
  domains: z
    .array(z.strictObject({ name: domainNameSchema, mailEnabled: z.boolean().default(true) }))
    .min(1)
    .max(DOMAIN_BATCH_LIMIT)
    .superRefine((domains, ctx) => {
      const seen = new Set<string>();
      domains.forEach((domain, index) => {
        if (seen.has(domain.name.ascii)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: 'validation.duplicate_domain' });
        seen.add(domain.name.ascii);
      });
    }),
});

export const updateDomainSchema = z.strictObject({ mailEnabled: z.boolean().optional() });

export const domainSchema = resourceStateSchema.extend({
  name: z.string(),
  unicodeName: z.string(),
  mailEnabled: z.boolean(),
  serial: z.number(),
});

export const domainBatchSchema = z.object({ data: z.array(domainSchema) });
