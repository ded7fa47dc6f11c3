import { z } from 'zod';
import { MOVE_STATUSES, MOVE_STEPS } from './move.entity.js';
import { peerAddressSchema } from '../transfer/peer-address.js';

/** The services a move carries: their data is files (web, mail), none (dns) or a dump (the engines). */
export const MOVABLE_SERVICES = ['web', 'dns', 'mail', 'mariadb', 'postgresql'] as const;


export const createMoveSchema = z.strictObject({
  organizationId: z.uuid(),
  service: z.enum(MOVABLE_SERVICES, { error: 'validation.service_not_movable' }),
  toServerId: z.uuid(),
  /** Where the new server reaches the old one over SSH, when not at its public IPv4 on port 22. */
  peerAddress: peerAddressSchema.optional(),
  peerPort: z.number().int().min(1).max(65535).optional(),
});
export type CreateMove = z.infer<typeof createMoveSchema>;

export const createDrainSchema = z.strictObject({
  serverId: z.uuid(),
  /** Where its resources go (round robin by organisation); by default each service's least loaded active server. */
  toServerIds: z.array(z.uuid()).max(100).default([]),
  peerAddress: peerAddressSchema.optional(),
  peerPort: z.number().int().min(1).max(65535).optional(),
});
export type CreateDrain = z.infer<typeof createDrainSchema>;

export const moveSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  service: z.string(),
  toServerId: z.string(),
  fromServerIds: z.array(z.string()),
  drainId: z.string().nullable(),
  status: z.enum(MOVE_STATUSES),
  step: z.enum(MOVE_STEPS),
  resources: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const drainSchema = z.object({
  id: z.string(),
  serverId: z.string(),
  status: z.enum(MOVE_STATUSES),
  moves: z.array(moveSchema),
  notMoved: z.array(z.object({ organizationId: z.string(), service: z.string(), reason: z.string(), message: z.string() })),
  createdAt: z.string(),
});
