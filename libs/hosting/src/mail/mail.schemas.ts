import { z } from 'zod';
import { passwordField } from '../credentials/password.schema.js';
import { AddressError, parseExternalAddress, parseLocalAddress, type MailAddress } from '../names/mail-address.js';
import { resourceStateSchema } from '../desired-state/resource.schemas.js';

function addressField(parse: (value: string) => MailAddress | string) {
  return z.string().max(320).transform((value, ctx) => {
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      ctx.addIssue({ code: 'custom', message: `validation.${error.problem}` });
      return z.NEVER;
    }
  });
}

const mailboxAddress = addressField((value) => parseLocalAddress(value)) as z.ZodType<MailAddress>;
const aliasAddress = addressField((value) => parseLocalAddress(value, { allowCatchAll: true })) as z.ZodType<MailAddress>;
const destination = addressField((value) => parseExternalAddress(value)) as z.ZodType<string>;
const quotaMb = z.number().int().min(1).max(1_048_576);

const destinations = z
  .array(destination)
  .min(1)
  .max(50)
  .refine((list) => new Set(list).size === list.length, 'validation.duplicate_destination');

/** Where a mailbox also sends a copy of what it receives (it keeps its own): none by default. */
const forwards = z
  .array(destination)
  .max(50)
  .refine((list) => new Set(list).size === list.length, 'validation.duplicate_destination');

export const createMailboxSchema = z.strictObject({
  organizationId: z.uuid(),
  address: mailboxAddress,
  password: passwordField,
  quotaMb,
  forwards: forwards.default([]),
  serverId: z.uuid().optional(),
});

export const updateMailboxSchema = z.strictObject({ password: passwordField.optional(), quotaMb: quotaMb.optional(), forwards: forwards.optional() });

export const mailboxSchema = resourceStateSchema.extend({
  address: z.string(),
  domainId: z.string(),
  quotaMb: z.number(),
  usedBytes: z.number(),
  forwards: z.array(z.string()),
});

export const createAliasSchema = z.strictObject({
  organizationId: z.uuid(),
  address: aliasAddress,
  destinations,
  serverId: z.uuid().optional(),
});

export const updateAliasSchema = z.strictObject({ destinations });

export const aliasSchema = resourceStateSchema.extend({
  address: z.string(),
  domainId: z.string(),
  destinations: z.array(z.string()),
  catchAll: z.boolean(),
});

/** The DNS records a domain's mail needs, for a zone served elsewhere (and what Ruche's zone holds). */
export const mailRecordsSchema = z.object({
  domain: z.string(),
  mailEnabled: z.boolean(),
  records: z.array(
    z.object({
      purpose: z.enum(['mx', 'spf', 'dmarc', 'dkim']),
      type: z.enum(['MX', 'TXT']),
      /** Relative to the zone (`@` for the domain itself). */
      name: z.string(),
      fqdn: z.string(),
      value: z.string(),
      priority: z.number().nullable(),
      /** Ruche's zone for the domain has it (as the client wrote it, for SPF and DMARC). */
      inZone: z.boolean(),
    }),
  ),
});
