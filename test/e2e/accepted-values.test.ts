import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDns } from '@ruche/infra/fleet';
import { RECORD_TYPES } from '@ruche/hosting';
import { makeClient, makeOrganization } from '../support/factories.js';
import { eventually, startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import type { Caller } from '../support/test-api.js';
import { around, documentRoot, label, recordInput, redirectUrl } from '../support/arbitraries.js';

/**
 * The property test of the API and the renderers, carried to the daemons: values generated
 * from each field's space go through the API; whatever it accepts must go live on a real
 * server, nginx's and Knot's own checkers included. Nothing may end `failed`.
 */
const PER_TYPE = Number(process.env.RUCHE_E2E_PROPERTY_SAMPLES ?? 60);
let fleet: FleetHarness;
let client: Caller;
let organizationId: string;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['web', 'dns'] });
  organizationId = (await makeOrganization(fleet.admin)).id;
  client = (await makeClient(fleet.api, fleet.admin, organizationId)).caller;
  expect((await fleet.admin.put(`/api/v1/organizations/${organizationId}/quota-overrides`, { domains: 100, sites: 500 })).status).toBeLessThan(300);
});
afterAll(() => fleet?.close());

const settled = (phase: string) => phase === 'ready' || phase === 'failed';

describe('what the API accepts, the servers take', () => {
  it('DNS records of every type: the zone loads in Knot and answers', async () => {
    const domain = (await client.post('/api/v1/domains', { organizationId, name: 'accepted-values.org' })).body;
    const accepted: Array<{ type: string; name: string; value: string }> = [];
    for (const type of RECORD_TYPES) {
      for (const input of fc.sample(recordInput(type), { numRuns: PER_TYPE, seed: 20261130 })) {
        const response = await client.post(`/api/v1/domains/${domain.id}/records`, { type, ...input });
        // 422 (refused value) and 409 (clashes with another record of the zone) write nothing.
        expect([201, 409, 422], JSON.stringify({ type, ...input, answer: response.body })).toContain(response.status);
        if (response.status === 201) accepted.push(response.body);
      }
    }
    expect(accepted.length).toBeGreaterThan(RECORD_TYPES.length * 5);
    const zone = await eventually(async () => {
      const now = (await client.get(`/api/v1/domains/${domain.id}`)).body;
      return now.observedGeneration === now.generation && settled(now.phase) ? now : null;
    }, 60_000, 'the zone to settle');
    expect([zone.phase, zone.lastError]).toEqual(['ready', null]);
    const answer = await queryDns({ port: fleet.server.ports.dnsUdp!, name: 'accepted-values.org', type: 'SOA' });
    expect(Number(answer.answers[0]!.data.split(' ')[2])).toBe(zone.serial);
  });

  it('sites with any accepted host names, document roots and redirects: nginx -t takes them all', async () => {
    const domain = (await client.post('/api/v1/domains', { organizationId, name: 'accepted-sites.org' })).body;
    const site = fc.record({
      hostnames: fc.array(around(label).map((l) => `${l}.accepted-sites.org`), { minLength: 1, maxLength: 3 }),
      documentRoot: fc.option(around(documentRoot), { nil: undefined }),
      redirectTo: fc.option(around(redirectUrl), { nil: undefined }),
      https: fc.boolean(),
    });
    const accepted: string[] = [];
    for (const input of fc.sample(site, { numRuns: PER_TYPE * 3, seed: 20261130 })) {
      const response = await client.post('/api/v1/sites', { organizationId, ...input });
      expect([201, 409, 422], JSON.stringify({ ...input, answer: response.body })).toContain(response.status);
      if (response.status === 201) accepted.push(response.body.id);
    }
    expect(accepted.length).toBeGreaterThan(10);
    expect(domain.id).toBeTruthy();
    for (const id of accepted) {
      const final = await eventually(async () => {
        const now = (await client.get(`/api/v1/sites/${id}`)).body;
        return now.observedGeneration === now.generation && settled(now.phase) ? now : null;
      }, 60_000, `site ${id} to settle`);
      expect([final.phase, final.lastError], JSON.stringify(final)).toEqual(['ready', null]);
    }
  });
});
