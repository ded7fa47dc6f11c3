import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestNetwork,
  ensureFleetReady,
  httpGet,
  queryDns,
  readBanner,
  removeOrphanedTestContainers,
  startServer,
  type TestNetwork,
  type TestServer,
} from '../../infra/src/fleet/index.js';

const run = promisify(execFile);

const zone = `$ORIGIN fleet.test.
$TTL 300
@    SOA ns1 hostmaster 2024010101 3600 900 604800 300
@    NS  ns1
ns1  A   192.0.2.53
www  A   192.0.2.80
`;

describe('test fleet: a Debian server in a container, reached through 127.0.0.1 only', () => {
  let keyDir: string;
  let privateKey: string;
  let network: TestNetwork | undefined;
  let server: TestServer | undefined;
  let peer: TestServer | undefined;

  beforeAll(async () => {
    const started = Date.now();
    const fleet = await ensureFleetReady({ log: (line) => console.info(`[fleet] ${line}`) });
    console.info(`[fleet] engine ${fleet.socketPath}, image ${fleet.image}, ready in ${Date.now() - started} ms`);
    await removeOrphanedTestContainers();

    keyDir = await mkdtemp(path.join(os.tmpdir(), 'ruche-fleet-'));
    privateKey = path.join(keyDir, 'id_ed25519');
    await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-C', 'ruche-fleet-test', '-q', '-f', privateKey]);
    const authorizedKey = await readFile(`${privateKey}.pub`, 'utf8');

    network = await createTestNetwork();
    const serverStarted = Date.now();
    server = await startServer({
      services: ['web', 'dns', 'mail', 'mariadb', 'postgresql'],
      authorizedKey,
      network: network.name,
      image: fleet.image,
    });
    console.info(`[fleet] ${server.name} ready in ${Date.now() - serverStarted} ms, ports ${JSON.stringify(server.ports)}`);
    peer = await startServer({ services: [], authorizedKey, network: network.name, image: fleet.image });
  });

  afterAll(async () => {
    await server?.remove();
    await peer?.remove();
    await network?.remove();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  function sshRun(command: string): Promise<{ stdout: string }> {
    return run('ssh', [
      '-F', '/dev/null',
      '-i', privateKey,
      '-p', String(server!.ports.ssh),
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=10',
      'root@127.0.0.1',
      command,
    ]);
  }

  it('logs in over SSH with the test key', async () => {
    expect(await readBanner(server!.ports.ssh)).toMatch(/^SSH-2\.0-OpenSSH_/);
    expect((await sshRun('id -u')).stdout.trim()).toBe('0');
  });

  it('resolves through its own Knot only, and Postfix looks up no peer names', async () => {
    expect((await server!.exec(['cat', '/etc/resolv.conf'])).stdout.trim()).toBe('nameserver 127.0.0.1');
    expect((await server!.exec(['postconf', '-h', 'smtpd_peername_lookup', 'maillog_file'])).stdout.split('\n').slice(0, 2)).toEqual([
      'no',
      '/var/log/postfix.log',
    ]);
  });

  it('serves the default nginx page over HTTP', async () => {
    const answer = await httpGet(server!.ports.http!);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('nginx');
  });

  it('answers DNS over UDP and TCP for a zone loaded into Knot', async () => {
    // The zone goes in through exec's standard input: no shell, no quoting.
    const write = await server!.exec(['tee', '/var/lib/knot/zones/fleet.test.zone'], { input: zone });
    expect(write.exitCode).toBe(0);
    await server!.exec(['chown', 'knot:knot', '/var/lib/knot/zones/fleet.test.zone']);
    await server!.exec(['tee', '/etc/knot/zones.d/fleet.test.conf'], { input: 'zone:\n  - domain: fleet.test\n' });
    const reload = await server!.exec(['knotc', 'reload']);
    expect(reload.exitCode, reload.stderr).toBe(0);

    // Knot loads zones in the background after a reload.
    let udp = await queryDns({ port: server!.ports.dnsUdp!, name: 'fleet.test', type: 'SOA' });
    for (let attempt = 0; udp.rcode !== 'NOERROR' && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      udp = await queryDns({ port: server!.ports.dnsUdp!, name: 'fleet.test', type: 'SOA' });
    }
    expect(udp).toMatchObject({
      rcode: 'NOERROR',
      authoritative: true,
      answers: [{ name: 'fleet.test.', type: 'SOA', ttl: 300, data: 'ns1.fleet.test. hostmaster.fleet.test. 2024010101 3600 900 604800 300' }],
    });

    const tcp = await queryDns({ port: server!.ports.dnsTcp!, name: 'www.fleet.test', type: 'A', transport: 'tcp' });
    expect(tcp).toMatchObject({ rcode: 'NOERROR', answers: [{ name: 'www.fleet.test.', type: 'A', data: '192.0.2.80' }] });

    const missing = await queryDns({ port: server!.ports.dnsUdp!, name: 'nope.fleet.test', type: 'A' });
    expect(missing.rcode).toBe('NXDOMAIN');
  });

  it('lets servers on the same test network talk to each other', async () => {
    const address = await server!.addressOn(network!.name);
    // From the peer container, not from the machine: the machine only uses 127.0.0.1.
    const answer = await peer!.exec(['kdig', `@${address}`, 'www.fleet.test', 'A', '+short', '+time=2', '+retry=0']);
    expect(answer.stdout.trim()).toBe('192.0.2.80');
  });

  it('greets on SMTP and IMAP', async () => {
    expect(await readBanner(server!.ports.smtp!)).toMatch(/^220 .* ESMTP Postfix/);
    expect(await readBanner(server!.ports.imap!)).toMatch(/^\* OK .*Dovecot/);
  });

  it('runs queries in MariaDB and PostgreSQL', async () => {
    const mariadb = await server!.exec(['mariadb', '--batch', '--skip-column-names', '-e', 'SELECT 1']);
    expect(mariadb).toMatchObject({ exitCode: 0, stdout: '1\n' });
    const postgresql = await server!.exec(['psql', '--no-align', '--tuples-only', '--command', 'SELECT 1'], { user: 'postgres' });
    expect(postgresql).toMatchObject({ exitCode: 0, stdout: '1\n' });
  });

  it('brings SSH and nginx back after stop and start', async () => {
    const before = { ...server!.ports };
    await server!.stop();
    const restarted = Date.now();
    await server!.start();
    console.info(`[fleet] restarted in ${Date.now() - restarted} ms`);
    // Same published ports: a server registered in Ruche keeps its address across a restart.
    expect(server!.ports).toEqual(before);

    expect((await sshRun('id -u')).stdout.trim()).toBe('0');
    expect((await httpGet(server!.ports.http!)).status).toBe(200);
    // The files written before the stop survive it, and Knot serves them again.
    const soa = await queryDns({ port: server!.ports.dnsTcp!, name: 'fleet.test', type: 'SOA', transport: 'tcp' });
    expect(soa.rcode).toBe('NOERROR');
  });
});
