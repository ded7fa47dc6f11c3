import net from 'node:net';
import { z } from 'zod';
import { SERVICES } from '../desired-state/hosted-resource.js';
import { SERVER_STATUSES, TRANSPORTS } from './server.entity.js';

const serverName = z.string().trim().toLowerCase().regex(/^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$/, 'validation.server_name_invalid');
const address = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'validation.server_address_invalid');
const ipv4 = z.string().trim().refine((value) => net.isIPv4(value), 'validation.ipv4_invalid');
const ipv6 = z.string().trim().refine((value) => net.isIPv6(value), 'validation.ipv6_invalid');
const hostname = z.string().trim().toLowerCase().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}$/, 'validation.target_invalid');
const services = z.array(z.enum(SERVICES)).min(1).max(SERVICES.length).refine((list) => new Set(list).size === list.length, 'validation.duplicate_service');
const fingerprint = z.string().trim().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'validation.fingerprint_invalid');

export const createServerSchema = z.strictObject({
  name: serverName,
  address,
  port: z.number().int().min(1).max(65535).default(22),
  transport: z.enum(TRANSPORTS),
  services,
  publicIpv4: ipv4.optional(),
  publicIpv6: ipv6.optional(),
  publicHostname: hostname.optional(),
  hostKeyFingerprint: fingerprint.optional(),
  sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'validation.ssh_user_invalid').default('root'),
});

export const updateServerSchema = z.strictObject({
  status: z.enum(SERVER_STATUSES).optional(),
  services: services.optional(),
  publicIpv4: ipv4.nullable().optional(),
  publicIpv6: ipv6.nullable().optional(),
  publicHostname: hostname.nullable().optional(),
});

export const serverSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number(),
  transport: z.enum(TRANSPORTS),
  services: z.array(z.enum(SERVICES)),
  status: z.enum(SERVER_STATUSES),
  publicIpv4: z.string().nullable(),
  publicIpv6: z.string().nullable(),
  publicHostname: z.string().nullable(),
  hostKeyFingerprint: z.string().nullable(),
  sshUser: z.string(),
  resourceCount: z.number().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const placementSchema = z.partialRecord(z.enum(SERVICES), z.uuid().nullable());
