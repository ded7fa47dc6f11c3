import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Caller, type TestApi } from '../support/test-api.js';
import { makeHostingClient, makeServers } from '../support/factories.js';

let api: TestApi;
let admin: Caller;
let servers: Awaited<ReturnType<typeof makeServers>>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.admin();
  servers = await makeServers(admin);
});
afterAll(() => api?.close());

const batch = (caller: Caller, organizationId: string, domains: unknown[], headers?: Record<string, string>) =>
  caller.post('/api/v1/domains/batch', { organizationId, domains }, headers ? { headers } : undefined);

async function domainsOf(organizationId: string): Promise<string[]> {
  const rows = await api.db.query(`SELECT name FROM domains WHERE organization_id = $1 ORDER BY name`, [organizationId]);
  return rows.map((row: { name: string }) => row.name);
}

/** Everything a refused batch must not leave behind: domains, records, audit entries, events. */
async function tracesOf(organizationId: string) {
  const [row] = await api.db.query(
    `SELECT (SELECT count(*) FROM domains WHERE organization_id = $1)::int AS domains,
            (SELECT count(*) FROM dns_records WHERE organization_id = $1)::int AS records,
            (SELECT count(*) FROM audit_events WHERE organization_id = $1 AND action = 'domain.create')::int AS audits,
            (SELECT count(*) FROM resource_events WHERE organization_id = $1)::int AS events`,
    [organizationId],
  );
  return row;
}

describe('adding domains in a batch', () => {
  it('adds every domain of the list with its default zone, audit entry and event, and queues one reconcile', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    await api.db.query(`DELETE FROM graphile_worker._private_jobs`);

    const added = await batch(caller, organization.id, [{ name: 'Jardin-Partagé.ca' }, { name: 'radio-libre.org', mailEnabled: false }, { name: 'blog.radio-libre.org' }]);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.data.map((d: any) => [d.name, d.unicodeName, d.mailEnabled, d.phase, d.generation, d.serverId])).toEqual([
      ['xn--jardin-partag-nhb.ca', 'jardin-partagé.ca', true, 'pending', 1, servers.dns.id],
      ['radio-libre.org', 'radio-libre.org', false, 'pending', 1, servers.dns.id],
      ['blog.radio-libre.org', 'blog.radio-libre.org', true, 'pending', 1, servers.dns.id],
    ]);

    // Each zone as a single create makes it: mail records only where mail is on.
    const zone = async (id: string) =>
      (await caller.get(`/api/v1/domains/${id}/records`)).body.data.map((r: any) => `${r.name} ${r.type} ${r.value}`).sort();
    expect(await zone(added.body.data[0].id)).toEqual([
      '@ A 192.0.2.10',
      '@ AAAA 2001:db8::10',
      '@ MX mail.coop.example',
      '@ TXT v=spf1 mx ~all',
      '_dmarc TXT v=DMARC1; p=none',
      'www CNAME xn--jardin-partag-nhb.ca',
    ]);
    expect(await zone(added.body.data[1].id)).toEqual(['@ A 192.0.2.10', '@ AAAA 2001:db8::10', 'www CNAME radio-libre.org']);

    expect(await tracesOf(organization.id)).toEqual({ domains: 3, records: 15, audits: 3, events: 3 });
    const audits = await api.db.query(`SELECT target_id, after, request_id FROM audit_events WHERE organization_id = $1 AND action = 'domain.create'`, [organization.id]);
    expect(audits.map((a: any) => a.target_id).sort()).toEqual(added.body.data.map((d: any) => d.id).sort());
    expect(new Set(audits.map((a: any) => a.request_id)).size).toBe(1);
    const jobs = await api.db.query(`SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'provisioning:reconcile'`);
    expect(jobs.map((j: any) => j.key)).toEqual([`reconcile:${servers.dns.id}:dns`]);
  });

  it('refuses odd input field by field, in the caller’s language, and writes nothing', async () => {
    const { organization, caller } = await makeHostingClient(api, admin, { locale: 'fr' });
    const refused = await batch(caller, organization.id, [{ name: 'premier.org' }, { name: 'ok.org', colour: 'blue' }, { name: 'pas un domaine' }]);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.map((f: any) => [f.field, f.code])).toEqual([
      ['domains.1.colour', 'unknown_field'],
      ['domains.2.name', 'label_invalid'],
    ]);
    // Two spellings of one name: the second is named, in French for this client.
    const twice = await batch(caller, organization.id, [{ name: 'premier.org' }, { name: 'second.org' }, { name: 'Premier.ORG.' }]);
    expect(twice.status).toBe(422);
    expect(twice.body.error.details).toEqual([{ field: 'domains.2.name', code: 'duplicate_domain', message: 'Ce domaine apparaît deux fois dans la liste.' }]);
    expect((await batch(caller, organization.id, [])).status).toBe(422);
    const tooMany = await batch(caller, organization.id, Array.from({ length: 1001 }, (_, i) => ({ name: `d${i}.org` })));
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'domains', code: 'too_big' });
    expect(await tracesOf(organization.id)).toEqual({ domains: 0, records: 0, audits: 0, events: 0 });
  });

  it('adds none when one name belongs to someone else, above, at or below it, without saying who holds it', async () => {
    const holder = await makeHostingClient(api, admin);
    expect((await batch(holder.caller, holder.organization.id, [{ name: 'tenu.org' }, { name: 'boutique.voisin.org' }])).status).toBe(201);
    const { organization, caller } = await makeHostingClient(api, admin);
    for (const clash of ['tenu.org', 'blog.tenu.org', 'voisin.org']) {
      const refused = await batch(caller, organization.id, [{ name: 'libre-1.org' }, { name: clash }, { name: 'libre-2.org' }]);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'domain_taken', details: { name: clash } });
      expect(JSON.stringify(refused.body)).not.toContain(holder.organization.id);
    }
    expect(await tracesOf(organization.id)).toEqual({ domains: 0, records: 0, audits: 0, events: 0 });
    // Its own names, above and below each other, in one list: fine.
    expect((await batch(caller, organization.id, [{ name: 'www.libre-1.org' }, { name: 'libre-1.org' }])).status).toBe(201);
    expect(await domainsOf(organization.id)).toEqual(['libre-1.org', 'www.libre-1.org']);
  });

  it('adds none when the plan has no room for the whole list', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    expect((await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { domains: 3 })).status).toBe(204);
    expect((await batch(caller, organization.id, [{ name: 'un.org' }])).status).toBe(201);
    const over = await batch(caller, organization.id, [{ name: 'deux.org' }, { name: 'trois.org' }, { name: 'quatre.org' }]);
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'quota_exceeded', details: { meter: 'domains', limit: 3, used: 1, requested: 3 } });
    expect(await domainsOf(organization.id)).toEqual(['un.org']);
    expect((await batch(caller, organization.id, [{ name: 'deux.org' }, { name: 'trois.org' }])).status).toBe(201);
  });

  it('lets a client add only to their own organisation, and staff choose the server', async () => {
    const a = await makeHostingClient(api, admin);
    const b = await makeHostingClient(api, admin);
    const foreign = await batch(a.caller, b.organization.id, [{ name: 'intrus.org' }]);
    expect(foreign.status).toBe(404);
    const chosen = await a.caller.post('/api/v1/domains/batch', { organizationId: a.organization.id, serverId: servers.dns.id, domains: [{ name: 'choisi.org' }] });
    expect(chosen.status).toBe(403);
    expect(await domainsOf(b.organization.id)).toEqual([]);
    const placed = await admin.post('/api/v1/domains/batch', { organizationId: b.organization.id, serverId: servers.dns.id, domains: [{ name: 'place.org' }] });
    expect(placed.status).toBe(201);
    expect(placed.body.data[0].serverId).toBe(servers.dns.id);
  });

  it('replays a batch sent twice with the same Idempotency-Key', async () => {
    const { organization, caller } = await makeHostingClient(api, admin);
    const headers = { 'idempotency-key': 'batch-once' };
    const first = await batch(caller, organization.id, [{ name: 'une-fois.org' }, { name: 'deux-fois.org' }], headers);
    const second = await batch(caller, organization.id, [{ name: 'une-fois.org' }, { name: 'deux-fois.org' }], headers);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await domainsOf(organization.id)).toEqual(['deux-fois.org', 'une-fois.org']);
  });

  it('gives a name to one of two batches racing for it, never half of either, and never deadlocks', async () => {
    const a = await makeHostingClient(api, admin);
    const b = await makeHostingClient(api, admin);
    for (const side of [a, b]) expect((await admin.put(`/api/v1/organizations/${side.organization.id}/quota-overrides`, { domains: 100 })).status).toBe(204);
    for (let round = 0; round < 5; round++) {
      // The same names in opposite orders, plus names of each side's own.
      const shared = [`course-${round}-1.org`, `course-${round}-2.org`, `course-${round}-3.org`];
      const [first, second] = await Promise.all([
        batch(a.caller, a.organization.id, [...shared, `seule-a-${round}.org`].map((name) => ({ name }))),
        batch(b.caller, b.organization.id, [`seule-b-${round}.org`, ...[...shared].reverse()].map((name) => ({ name }))),
      ]);
      expect([first.status, second.status].sort(), JSON.stringify([first.body, second.body])).toEqual([201, 409]);
      const [winner, loser] = first.status === 201 ? [a, b] : [b, a];
      expect(await domainsOf(winner.organization.id)).toEqual(expect.arrayContaining(shared));
      const own = loser === a ? `seule-a-${round}.org` : `seule-b-${round}.org`;
      expect((await domainsOf(loser.organization.id)).filter((name) => [...shared, own].includes(name))).toEqual([]);
    }
  });

  it('takes a thousand domains in one request, each with its default zone, in the order given', async () => {
    const { organization } = await makeHostingClient(api, admin);
    expect((await admin.put(`/api/v1/organizations/${organization.id}/quota-overrides`, { domains: 1000 })).status).toBe(204);
    const names = Array.from({ length: 1000 }, (_, i) => ({ name: `asso-${i}.org` }));
    const added = await batch(admin, organization.id, names);
    expect(added.status, JSON.stringify(added.body).slice(0, 500)).toBe(201);
    expect(added.body.data.map((d: any) => d.name)).toEqual(names.map((n) => n.name));
    expect(await tracesOf(organization.id)).toEqual({ domains: 1000, records: 6000, audits: 1000, events: 1000 });
  });
});
