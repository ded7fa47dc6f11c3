import { z } from 'zod';
import { NameError, parseHostName } from '../names/domain-name.js';
import { isSafeDocumentRoot, redirectProblem } from '../names/identifiers.js';
import { resourceStateSchema } from '../desired-state/resource.schemas.js';

const hostname = z.string().max(300).transform((value, ctx) => {
  try {
    return parseHostName(value);
  } catch (error) {
    if (!(error instanceof NameError)) throw error;
    ctx.addIssue({ code: 'custom', message: `validation.${error.problem}` });
    return z.NEVER;
  }
});

const hostnames = z
  .array(hostname)
  .min(1)
  .max(50)
  .refine((list) => new Set(list).size === list.length, 'validation.duplicate_hostname');

const documentRoot = z.string().refine(isSafeDocumentRoot, 'validation.document_root_invalid');

const redirectTo = z.string().superRefine((value, ctx) => {
  const problem = redirectProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `validation.${problem}` });
});

export const createSiteSchema = z.strictObject({
  organizationId: z.uuid(),
  hostnames,
  documentRoot: documentRoot.optional(),
  redirectTo: redirectTo.optional(),
  https: z.boolean().default(false),
  serverId: z.uuid().optional(),
});

export const updateSiteSchema = z.strictObject({
  hostnames: hostnames.optional(),
  documentRoot: documentRoot.optional(),
  redirectTo: redirectTo.nullable().optional(),
  https: z.boolean().optional(),
});

export const siteSchema = resourceStateSchema.extend({
  hostnames: z.array(z.string()),
  documentRoot: z.string(),
  redirectTo: z.string().nullable(),
  https: z.boolean(),
  storageBytes: z.number(),
});
