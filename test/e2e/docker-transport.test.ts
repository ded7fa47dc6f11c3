import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSshIdentity, PROVISIONING_SETTINGS } from '@ruche/provisioning';
import { httpGet, startServer, type TestServer } from '@ruche/infra/fleet';
import { makeClient, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';

/** The docker transport (exec and archives through the Docker API), for containers Ruche manages directly. */
let fleet: FleetHarness;
let container: TestServer;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['dns'] });
  container = await startServer({ services: ['web'], authorizedKey: loadSshIdentity(PROVISIONING_SETTINGS.of(fleet.api.config)).publicKey });
});
afterAll(async () => {
  await container?.remove();
  await fleet?.close();
});

describe('the docker transport', () => {
  it('registers a container by name and takes a site live in it', async () => {
    const registered = await fleet.admin.post('/api/v1/servers', { name: 'in-docker', address: container.name, transport: 'docker', services: ['web'] });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const missing = await fleet.admin.post('/api/v1/servers', { name: 'no-such-container', address: 'ruche-test-missing', transport: 'docker', services: ['web'] });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('server_unreachable');

    const organization = await makeOrganization(fleet.admin);
    const client = (await makeClient(fleet.api, fleet.admin, organization.id)).caller;
    await fleet.admin.patch(`/api/v1/organizations/${organization.id}`, { placement: { web: registered.body.id } });
    await client.post('/api/v1/domains', { organizationId: organization.id, name: 'in-docker.org' });
    const site = await client.post('/api/v1/sites', { organizationId: organization.id, hostnames: ['in-docker.org'] });
    expect(site.body.serverId).toBe(registered.body.id);
    await eventually(async () => (await client.get(`/api/v1/sites/${site.body.id}`)).body.phase === 'ready', 20_000, 'the site to be ready');
    expect((await httpGet(container.ports.http!, { host: 'in-docker.org' })).body).toContain('hébergé par la coop');
  });
});
