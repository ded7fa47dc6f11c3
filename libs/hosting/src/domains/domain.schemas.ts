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

export const updateDomainSchema = z.strictObject({ mailEnabled: z.boolean().optional() });

export const domainSchema = resourceStateSchema.extend({
  name: z.string(),
  unicodeName: z.string(),
  mailEnabled: z.boolean(),
  serial: z.number(),
});
