import { z } from 'zod';
import { passwordField } from '../credentials/password.schema.js';
import { DATABASE_SHORT_NAME } from '../names/identifiers.js';
import { resourceStateSchema } from '../desired-state/resource.schemas.js';
import { ENGINES } from './database.entity.js';

/** The part after the organisation's prefix: the full name is `<prefix>_<name>`. */
const shortName = z.string().trim().toLowerCase().regex(DATABASE_SHORT_NAME, 'validation.database_name_invalid');

export const createDatabaseSchema = z.strictObject({
  organizationId: z.uuid(),
  engine: z.enum(ENGINES),
  name: shortName,
  serverId: z.uuid().optional(),
});

export const databaseSchema = resourceStateSchema.extend({
  engine: z.enum(ENGINES),
  name: z.string(),
  storageBytes: z.number(),
});

export const createDatabaseUserSchema = z.strictObject({
  organizationId: z.uuid(),
  engine: z.enum(ENGINES),
  name: shortName,
  /** Omit it and Ruche generates one, shown once in the answer. */
  password: passwordField.optional(),
  databases: z.array(z.uuid()).max(100).default([]),
  serverId: z.uuid().optional(),
});

export const updateDatabaseUserSchema = z.strictObject({
  password: passwordField.optional(),
  databases: z.array(z.uuid()).max(100).optional(),
});

export const databaseUserSchema = resourceStateSchema.extend({
  engine: z.enum(ENGINES),
  name: z.string(),
  databases: z.array(z.string()),
  /** Only in the answer to a create that generated it. */
  password: z.string().optional(),
});

/** How to reach a database from an application or a client program. */
export const databaseConnectionSchema = z.object({
  engine: z.enum(ENGINES),
  host: z.string(),
  port: z.number(),
  database: z.string(),
  /** The database users granted it: each logs in with its own name and password. */
  users: z.array(z.string()),
});
