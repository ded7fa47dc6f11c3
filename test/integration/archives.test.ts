import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestContext } from '@ruche/core';
import { ArchivesService } from '@ruche/hosting';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeDomain, makeHostingClient, makeServers } from '../support/factories.js';

/**
 * The archive contract drivers build on (the mail and database drivers' end-to-end tests
 * archive and restore for real): what an organisation sees of its archives, and what staff can
 * make again from one.
 */
let api: TestApi;
let admin: Caller;
let a: Awaited<ReturnType<typeof makeHostingClient>>;
let b: Awaited<ReturnType<typeof makeHostingClient>>;

beforeAll(async () => {
  api = await startTestApi({ RUCHE_ARCHIVE_RETENTION_DAYS: '14' });
  admin = await api.admin();
  await makeServers(admin);
  a = await makeHostingClient(api, admin);
  b = await makeHostingClient(api, admin);
});
afterAll(() => api?.close());

const system = <T>(fn: () => Promise<T>) => RequestContext.run({ requestId: 'test', ip: null, headerLocale: null, actor: null }, fn);

/** A mailbox of `owner`'s, deleted, and archived as its driver would. */
async function archivedMailbox(owner: typeof a, size = 4096) {
  const domain = await makeDomain(owner.caller, owner.organization.id);
  const mailbox = (await owner.caller.post('/api/v1/mailboxes', { organizationId: owner.organization.id, address: `info@${domain.name}`, password: 'mailbox-password-1', quotaMb: 200 })).body;
  expect((await owner.caller.delete(`/api/v1/mailboxes/${mailbox.id}`)).status).toBe(202);
  await system(() => api.app.get(ArchivesService).recordArchive({ type: 'mailbox', id: mailbox.id, path: `/var/backups/ruche/mail/${mailbox.id}.tar.gz`, sizeBytes: size }));
  // The driver then removes the mailbox; its row goes.
  await api.db.query(`DELETE FROM mailboxes WHERE id = $1`, [mailbox.id]);
  const [row] = await api.db.query(`SELECT password_hash FROM mailboxes WHERE id = $1`, [mailbox.id]);
  expect(row).toBeUndefined();
  return { mailbox, domain };
}

describe('archives', () => {
  it('are listed to their organisation with what, when, size and until when, and to no other', async () => {
    const { mailbox } = await archivedMailbox(a, 123_456);
    const list = await a.caller.get(`/api/v1/archives?organizationId=${a.organization.id}`);
    expect(list.body.data).toEqual([
      expect.objectContaining({ kind: 'mailbox', name: mailbox.address, service: 'mail', sizeBytes: 123_456, status: 'ready', restoredAs: null }),
    ]);
    const archive = list.body.data[0];
    const days = (Date.parse(archive.expiresAt) - Date.parse(archive.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(14);
    expect(JSON.stringify(list.body)).not.toMatch(/ARGON2|\$argon2|path|backups/i);
    expect((await b.caller.get('/api/v1/archives')).body.data.map((x: { id: string }) => x.id)).not.toContain(archive.id);
  });

  it('are restored by staff only: the mailbox is made again, same address, quota and password, on the archive’s server', async () => {
    const { mailbox } = await archivedMailbox(b);
    const [archived] = await api.db.query(`SELECT id, server_id FROM archives WHERE resource_id = $1`, [mailbox.id]);
    expect((await b.caller.post(`/api/v1/archives/${archived.id}/restore`)).status).toBe(403);
    const restored = await admin.post(`/api/v1/archives/${archived.id}/restore`);
    expect(restored.status).toBe(202);
    expect(restored.body).toMatchObject({ resourceType: 'mailbox', archive: { status: 'restoring', restoredAs: restored.body.resourceId } });
    const again = (await b.caller.get(`/api/v1/mailboxes/${restored.body.resourceId}`)).body;
    expect(again).toMatchObject({ address: mailbox.address, quotaMb: 200, serverId: archived.server_id, phase: 'pending' });
    const [row] = await api.db.query(`SELECT password_hash, restore_archive_id FROM mailboxes WHERE id = $1`, [again.id]);
    expect(row.password_hash).toMatch(/^\{ARGON2ID\}/);
    expect(row.restore_archive_id).toBe(archived.id);
    // What the driver reads to fill it: the archive's file.
    const restoreFor = await system(() => api.app.get(ArchivesService).restoreFor([again.id]));
    expect(restoreFor.get(again.id)).toEqual({ archiveId: archived.id, path: `/var/backups/ruche/mail/${mailbox.id}.tar.gz` });
    const twice = await admin.post(`/api/v1/archives/${archived.id}/restore`);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'archive_not_restorable']);
    // Its state in words, never its code.
    expect(twice.body.error.message).toBe('This archive cannot be restored (it is being restored, or its time is up).');
  });

  it('refuse to restore over an address someone holds again', async () => {
    const { mailbox } = await archivedMailbox(a);
    await a.caller.post('/api/v1/mailboxes', { organizationId: a.organization.id, address: mailbox.address, password: 'another-password-2', quotaMb: 10 });
    const [archived] = await api.db.query(`SELECT id FROM archives WHERE resource_id = $1`, [mailbox.id]);
    const refused = await admin.post(`/api/v1/archives/${archived.id}/restore`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'address_taken']);
  });
});
