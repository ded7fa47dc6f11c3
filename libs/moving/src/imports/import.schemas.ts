import { z } from 'zod';
import { ITEM_KINDS } from '../alternc/alternc-plan.js';
import { IMPORT_STATUSES, IMPORT_STEPS } from './import.entity.js';
import { peerAddressSchema } from '../transfer/peer-address.js';

const login = z.string().regex(/^[a-z0-9]{1,14}$/, 'validation.alternc_login_invalid');
/** `mysql://user:password@host:port/alternc` (or `mariadb://`): read only. */
const databaseUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'mysql:' || url.protocol === 'mariadb:') && url.hostname !== '' && /^\/[A-Za-z0-9_$-]+$/.test(url.pathname);
    } catch {
      return false;
    }
  }, 'validation.alternc_database_url_invalid');

export const createImportSchema = z.strictObject({
  databaseUrl,
  /** The AlternC server, registered in Ruche and paused (nothing is placed on it). */
  fromServerId: z.uuid(),
  /**
   * Where the receiving servers reach the AlternC server over SSH, when not at its public
   * IPv4 (else its address) on port 22.
   */
  peerAddress: peerAddressSchema.optional(),
  peerPort: z.number().int().min(1).max(65535).optional(),
  accounts: z.array(login).max(10_000).default([]),
  /**
   * The last pass, at the cut-over: the accounts are locked on the AlternC server (database
   * users locked, mail for their domains answered 450 and the queue delivered) before the copy.
   */
  final: z.boolean().default(false),
});
export type CreateImport = z.infer<typeof createImportSchema>;

export const ITEM_OUTCOMES = ['create', 'already_imported', 'cannot_carry', 'done', 'failed'] as const;

export const importItemSchema = z.object({
  kind: z.enum(ITEM_KINDS),
  key: z.string(),
  account: z.string(),
  outcome: z.enum(ITEM_OUTCOMES),
  /** Why it cannot be (or was not) carried: a stable code, and its message in the caller's language. */
  reason: z.string().nullable(),
  message: z.string().nullable(),
  /** Carried with a change worth knowing (`renamed`, `hand_made`…); for an FTP account, `folder:<its folder in the web space>`. */
  note: z.string().nullable(),
  targetId: z.string().nullable(),
});

export const importSchema = z.object({
  /** Null for a dry run, which is not recorded. */
  id: z.string().nullable(),
  final: z.boolean(),
  /** When the last pass locked the AlternC accounts (the cut-over window runs from here to finishedAt). */
  lockedAt: z.string().nullable(),
  dryRun: z.boolean(),
  status: z.enum([...IMPORT_STATUSES, 'planned']),
  step: z.enum(IMPORT_STEPS).nullable(),
  sourceServerId: z.string(),
  accounts: z.array(z.string()),
  itemsTotal: z.number(),
  itemsDone: z.number(),
  itemsFailed: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  items: z.array(importItemSchema),
});
export type ImportDto = z.infer<typeof importSchema>;
