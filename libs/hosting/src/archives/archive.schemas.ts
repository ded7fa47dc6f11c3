import { z } from 'zod';
import { ARCHIVE_KINDS, ARCHIVE_STATUSES } from './archive.entity.js';

export const archiveSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  serverId: z.string(),
  kind: z.enum(ARCHIVE_KINDS),
  /** The mailbox's address or the database's name. */
  name: z.string(),
  service: z.string(),
  sizeBytes: z.number(),
  status: z.enum(ARCHIVE_STATUSES),
  createdAt: z.iso.datetime(),
  /** When it is purged. */
  expiresAt: z.iso.datetime(),
  restoredAs: z.string().nullable(),
});
export type ArchiveDto = z.infer<typeof archiveSchema>;

export const listArchivesSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  organizationId: z.uuid().optional(),
  kind: z.enum(ARCHIVE_KINDS).optional(),
  status: z.enum(ARCHIVE_STATUSES).optional(),
});

export const restoredArchiveSchema = z.object({ archive: archiveSchema, resourceType: z.enum(['mailbox', 'database']), resourceId: z.string() });
