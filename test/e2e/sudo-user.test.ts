import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '@ruche/infra/fleet';
import { makeClient, makeLocalServer, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { siteFile } from '../support/server-paths.js';

/**
 * A co-op that does not open root over SSH gives Ruche an ordinary account with sudo: every
 * command and every file goes through `sudo -n`, and the result is the same as through root.
 */
let fleet: FleetHarness;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web'], sshUser: 'ruche-deploy' });
});
afterAll(() => fleet?.close());

describe('a server reached as a sudoer rather than root', () => {
  it('is registered, and takes a site live with files owned as if root had written them', async () => {
    // Root's key is gone: only the sudoer can be the way in.
    expect((await fleet.server.exec(['test', '-e', '/root/.ssh/authorized_keys'])).exitCode).not.toBe(0);
    const server = (await fleet.admin.get(`/api/v1/servers/${fleet.serverId}`)).body;
    expect(server).toMatchObject({ sshUser: 'ruche-deploy', hostKeyFingerprint: expect.stringMatching(/^SHA256:/) });

    const organization = await makeOrganization(fleet.admin);
    const { caller: client } = await makeClient(fleet.api, fleet.admin, organization.id);
    await makeLocalServer(fleet.admin, 'dns-elsewhere', ['dns']);
    await client.post('/api/v1/domains', { organizationId: organization.id, name: 'sudo-coop.org' });
    const site = await client.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['www.sudo-coop.org'] });
    expect(site.status).toBe(201);
    const ready = await eventually(async () => {
      const now = (await client.get(`/api/v1/sites/${site.body.id}`)).body;
      if (now.phase === 'failed') throw new Error(now.lastError);
      return now.phase === 'ready' ? now : null;
    }, 30_000, 'the site to be ready');
    expect(ready.lastError).toBeNull();

    const answer = await httpGet(fleet.server.ports.http!, { host: 'www.sudo-coop.org' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('hébergé par la coop');
    const owner = await fleet.server.exec(['stat', '-L', '-c', '%U', `/etc/nginx/ruche/${siteFile(site.body.id)}`, '/etc/nginx/conf.d/ruche.conf']);
    expect(owner.stdout.trim().split('\n')).toEqual(['root', 'root']);
  });
});
