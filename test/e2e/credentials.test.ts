import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHostingClient, makeLocalServer } from '../support/factories.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';

/**
 * Ruche keeps a client's mail and database passwords only as the verifier each service reads.
 * Here the services themselves (Dovecot, MariaDB, on a fleet server) accept the verifiers the
 * API stored for the password the client chose, and refuse another password.
 */
let fleet: FleetHarness;

beforeAll(async () => {
  fleet = await startFleetHarness({ services: ['mail', 'mariadb'], startWorker: false });
});
afterAll(() => fleet?.close());

describe('stored credentials', () => {
  it("are a mailbox hash Dovecot verifies, and a MariaDB user's hash MariaDB logs in with", async () => {
    const { organization, caller } = await makeHostingClient(fleet.api, fleet.admin);
    // The zone goes nowhere here (no DNS server): mailboxes only need the domain to exist.
    await makeLocalServer(fleet.admin, 'dns-elsewhere', ['dns']);
    const domain = await caller.post('/api/v1/domains', { organizationId: organization.id, name: 'verifiers.org' });
    expect(domain.status, JSON.stringify(domain.body)).toBe(201);
    const mailbox = await caller.post('/api/v1/mailboxes', { organizationId: organization.id, address: 'info@verifiers.org', password: 'le mot de passe du client', quotaMb: 10 });
    expect(mailbox.status, JSON.stringify(mailbox.body)).toBe(201);
    const [{ password_hash: hash }] = await fleet.api.db.query(`SELECT password_hash FROM mailboxes WHERE id = $1`, [mailbox.body.id]);
    const verified = await fleet.server.exec(['doveadm', 'pw', '-t', hash, '-p', 'le mot de passe du client']);
    expect(verified, verified.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('verified') });
    expect((await fleet.server.exec(['doveadm', 'pw', '-t', hash, '-p', 'not the password'])).exitCode).not.toBe(0);

    const user = await caller.post('/api/v1/database-users', { organizationId: organization.id, engine: 'mariadb', name: 'app', password: 'the-database-password' });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const [{ name, password_verifier: verifier }] = await fleet.api.db.query(`SELECT name, password_verifier FROM database_users WHERE id = $1`, [user.body.id]);
    // Both come from Ruche in strict shapes (checked here) before they go into the statement.
    expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(verifier).toMatch(/^\*[0-9A-F]{40}$/);
    const create = await fleet.server.exec(['mariadb', '--batch', '-e', `CREATE USER '${name}'@'localhost' IDENTIFIED BY PASSWORD '${verifier}'`]);
    expect(create, create.stderr).toMatchObject({ exitCode: 0 });
    const login = await fleet.server.exec(['mariadb', '--batch', '--skip-column-names', '-u', name, '-pthe-database-password', '-e', 'SELECT CURRENT_USER()']);
    expect(login, login.stderr).toMatchObject({ exitCode: 0, stdout: `${name}@localhost\n` });
    const wrong = await fleet.server.exec(['mariadb', '--batch', '-u', name, '-pnot-it', '-e', 'SELECT 1']);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/Access denied/);
  });
});
