import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Caller, TestApi } from './test-api.js';
import { bearer } from './test-api.js';
import { mailedToken } from './mail.js';

const unique = () => randomBytes(4).toString('hex');

export async function makeOrganization(admin: Caller, fields: { name?: string; locale?: 'fr' | 'en' } = {}) {
  const response = await admin.post('/api/v1/organizations', { name: fields.name ?? `Org ${unique()}`, locale: fields.locale ?? 'fr' });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string; locale: string };
}

/**
 * A client person in `organizationId`, invited by staff, who accepted through the link mailed
 * to them (choosing their password) and is signed in.
 */
export async function makeClient(
  api: TestApi,
  admin: Caller,
  organizationId: string,
  fields: { role?: 'owner' | 'member'; email?: string; locale?: 'fr' | 'en' } = {},
) {
  const email = fields.email ?? `client-${unique()}@example.org`;
  const password = `pw-${unique()}-${unique()}`;
  const invited = await admin.post(`/api/v1/organizations/${organizationId}/members`, { email, role: fields.role ?? 'owner', locale: fields.locale });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const accepted = await api.anonymous.post('/api/v1/invitations/accept-new', { token: await mailedToken(api, email, '/invitation'), password });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  const caller = await api.login(email, password);
  return { caller, email, password, userId: accepted.body.user.id as string };
}

/** A staff person with the given roles, who chose a password through the mailed link, signed in. */
export async function makeStaff(api: TestApi, admin: Caller, staffRoles: string[]) {
  const email = `staff-${unique()}@koumbit.example`;
  const password = `pw-${unique()}-${unique()}`;
  const created = await admin.post('/api/v1/users', { email, staffRoles });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const accepted = await api.anonymous.post('/api/v1/invitations/accept-new', { token: await mailedToken(api, email, '/invitation'), password });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return { caller: await api.login(email, password), email, password, userId: created.body.id as string };
}

export async function makeToken(api: TestApi, owner: Caller, fields: { scopes: string[]; organizationId?: string; expiresAt?: string; name?: string }) {
  const response = await owner.post('/api/v1/tokens', { name: fields.name ?? `token ${unique()}`, ...fields });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.id as string, token: response.body.token as string, caller: bearer(api, response.body.token) };
}

/** Declares servers for every service (placement needs at least one active server per service). */
/**
 * A server on the `local` transport (a folder): where resources a test does not look at can
 * go (a zone for a domain whose sites are the point), or a second server beside a container.
 */
export async function makeLocalServer(admin: Caller, name: string, services: string[], extra: Record<string, string> = {}) {
  const response = await admin.post('/api/v1/servers', { name, address: '127.0.0.1', port: 22, transport: 'local', services, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string };
}

/**
 * A `local` server whose folder cannot be written (a file stands where its folder goes): its
 * reconciles fail for real, as a broken server's do, until `repair()`.
 */
export async function makeBrokenLocalServer(api: TestApi, admin: Caller, name: string, services: string[]) {
  // The file first: a registered server is set up at once, and the worker would make the
  // folder before the file could take its place.
  const folder = path.join(api.config.dataDir, 'servers', name);
  await mkdir(path.dirname(folder), { recursive: true });
  await writeFile(folder, 'not a folder');
  const server = await makeLocalServer(admin, name, services);
  return { ...server, repair: () => rm(folder) };
}

export async function makeServers(admin: Caller, prefix = unique()) {
  const server = (name: string, services: string[], extra: Record<string, string> = {}) => makeLocalServer(admin, `${name}-${prefix}`, services, extra);
  return {
    web: await server('web', ['web'], { publicIpv4: '192.0.2.10', publicIpv6: '2001:db8::10' }),
    dns: await server('dns', ['dns']),
    mail: await server('mail', ['mail'], { publicHostname: 'mail.coop.example' }),
    databases: await server('db', ['mariadb', 'postgresql']),
  };
}

/** An organisation with an owner signed in, ready to host things. */
export async function makeHostingClient(api: TestApi, admin: Caller, fields: { name?: string; locale?: 'fr' | 'en' } = {}) {
  const organization = await makeOrganization(admin, fields);
  const client = await makeClient(api, admin, organization.id, { role: 'owner', locale: fields.locale });
  return { organization, ...client };
}

export async function makeDomain(caller: Caller, organizationId: string, name = `site-${unique()}.org`) {
  const response = await caller.post('/api/v1/domains', { organizationId, name });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string; unicodeName: string; serial: number };
}
