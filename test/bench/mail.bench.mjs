// Mail benchmark, on a real Debian server container reached over SSH (the production path):
// 1,000 mailboxes, each with an alias, spread over 20 domains (each with its DKIM key), converge
// onto one server: wall time from the resync that asks for them to the last one ready, reconcile
// runs, Postfix and Dovecot reloads (counted on the server), and a probe that the last mailbox
// and alias are served (Postfix accepts the alias; Dovecot knows the mailbox and its quota).
// `npm run bench -- mail`; BENCH_MAILBOXES changes the count.
import net from 'node:net';
import pg from 'pg';
import { ensureFleetReady, startServer } from '../../infra/dist/fleet/index.js';
import { adminSession, cores, startRuche } from './support.mjs';

const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 1000);
const DOMAINS = 20;

/** One SMTP conversation: the reply to each command. */
async function smtp(port, commands) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  let buffer = '';
  const replies = [];
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply')), 20_000);
      const look = () => {
        const match = /^((?:\d{3}-[^\r\n]*\r\n)*)(\d{3}) ([^\r\n]*)\r\n/.exec(buffer);
        if (!match) return socket.once('data', (chunk) => ((buffer += chunk), look()));
        buffer = buffer.slice(match[0].length);
        clearTimeout(timer);
        resolve(`${match[2]} ${match[3]}`);
      };
      look();
    });
  await next();
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    replies.push(await next());
  }
  socket.end('QUIT\r\n');
  return replies;
}

await ensureFleetReady();
const ruche = await startRuche();
let server;
try {
  const api = await adminSession(ruche.baseUrl);

  const { publicKey } = await api('GET', '/api/v1/servers/ssh-public-key');
  server = await startServer({ services: ['mail'], authorizedKey: publicKey });
  const registered = await api('POST', '/api/v1/servers', { name: server.name, address: '127.0.0.1', port: server.ports.ssh, transport: 'ssh', services: ['mail'], publicHostname: 'mail.coop.example' });
  // Zones go to a folder "server": this benchmark is about mail.
  await api('POST', '/api/v1/servers', { name: 'dns-elsewhere', address: '127.0.0.1', port: 22, transport: 'local', services: ['dns'] });
  const organization = await api('POST', '/api/v1/organizations', { name: 'Bench', locale: 'fr' });
  await api('PATCH', `/api/v1/organizations/${organization.id}`, { placement: { mail: registered.id } });
  await api('PUT', `/api/v1/organizations/${organization.id}/quota-overrides`, { domains: DOMAINS + 10, mailboxes: MAILBOXES + 10, mail_storage_mb: (MAILBOXES + 10) * 100 });

  // Through the API: the domains and one mailbox each (their DKIM keys are made then).
  const domains = [];
  for (let i = 0; i < DOMAINS; i++) {
    const domain = await api('POST', '/api/v1/domains', { organizationId: organization.id, name: `bench-${i}.org` });
    await api('POST', '/api/v1/mailboxes', { organizationId: organization.id, address: `first@${domain.name}`, password: 'bench-password-1', quotaMb: 100 });
    domains.push(domain);
  }
  const db = new pg.Client({ connectionString: ruche.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  for (;;) {
    const { rows } = await db.query(`SELECT count(*) FILTER (WHERE phase = 'ready')::int AS ready FROM mailboxes`);
    if (rows[0].ready === DOMAINS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // The rest at once, as after an import: the mailboxes (with the first one's password hash) and an alias each.
  await db.query(
    `INSERT INTO mailboxes (id, organization_id, server_id, domain_id, local_part, address, password_hash, quota_mb)
     SELECT uuidv7(), d.organization_id, $2, d.id, 'box' || n, 'box' || n || '@' || d.name, (SELECT password_hash FROM mailboxes LIMIT 1), 100
       FROM generate_series(1, $1) AS n JOIN domains d ON d.name = 'bench-' || (n % ${DOMAINS}) || '.org'`,
    [MAILBOXES - DOMAINS, registered.id],
  );
  await db.query(
    `INSERT INTO mail_aliases (id, organization_id, server_id, domain_id, local_part, address, destinations)
     SELECT uuidv7(), m.organization_id, m.server_id, m.domain_id, 'alias-' || m.local_part, 'alias-' || m.address, ARRAY[m.address] FROM mailboxes m`,
  );
  const before = (await db.query(`SELECT coalesce(max(id::text), '') AS last FROM reconcile_runs`)).rows[0].last;
  // Reloads counted where they happen: a postfix and a doveadm in front of the real ones note each reload.
  const shim = await server.exec([
    'sh',
    '-c',
    `for tool in postfix doveadm; do real=$(command -v $tool); printf '#!/bin/sh\\n[ "$1" = reload ] && echo %s >> /run/ruche-bench-reloads\\nexec %s "$@"\\n' $tool "$real" > /usr/local/sbin/$tool; chmod +x /usr/local/sbin/$tool; done; : > /run/ruche-bench-reloads`,
  ]);
  if (shim.exitCode !== 0) throw new Error(`shims: ${shim.stderr}`);
  const started = performance.now();
  await api('POST', `/api/v1/servers/${registered.id}/resync`, {});
  const total = MAILBOXES * 2;
  for (;;) {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM mailboxes WHERE phase = 'ready') + (SELECT count(*) FROM mail_aliases WHERE phase = 'ready') AS ready,
              (SELECT count(*) FROM mailboxes WHERE phase = 'failed') + (SELECT count(*) FROM mail_aliases WHERE phase = 'failed') AS failed`,
    );
    if (Number(rows[0].failed) > 0) throw new Error(`${rows[0].failed} mail resources failed`);
    if (Number(rows[0].ready) === total) break;
    if (performance.now() - started > 600_000) throw new Error(`only ${rows[0].ready} of ${total} ready after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const wall = (performance.now() - started) / 1000;
  const runs = (
    await db.query(`SELECT count(*)::int AS runs, coalesce(sum(reloads), 0)::int AS reloads, max(duration_ms) AS longest FROM reconcile_runs WHERE id::text > $1 AND service = 'mail'`, [before])
  ).rows[0];
  const last = (await db.query(`SELECT address FROM mailboxes ORDER BY id DESC LIMIT 1`)).rows[0].address;
  await db.end();
  const seen = (await server.exec(['cat', '/run/ruche-bench-reloads'])).stdout.trim().split('\n').filter(Boolean);
  const rcpt = await smtp(server.ports.smtp, ['EHLO bench.example', 'MAIL FROM:<someone@example.net>', `RCPT TO:<alias-${last}>`]);
  const quota = (await server.exec(['doveadm', 'user', '-f', 'quota_rule', last])).stdout.trim();
  const keys = (await server.exec(['sh', '-c', 'grep -c . /etc/ruche/mail/dkim/keytable'])).stdout.trim();

  console.log(`\nRuche mail benchmark — ${cores} cores, Node ${process.version}, one server container over SSH`);
  console.log(
    `  ${MAILBOXES.toLocaleString('en')} mailboxes + ${MAILBOXES.toLocaleString('en')} aliases over ${DOMAINS} domains onto one server: ${wall.toFixed(1)} s wall, ${runs.runs} reconcile run(s), ${runs.reloads} reload(s) recorded (${seen.filter((tool) => tool === 'postfix').length} postfix reload, ${seen.filter((tool) => tool === 'doveadm').length} doveadm reload seen on the server), longest run ${runs.longest} ms  [target < 60 s]`,
  );
  console.log(`  check: RCPT TO alias-${last} → ${rcpt[2]}; Dovecot's quota rule for ${last}: ${quota}; DKIM keys served: ${Number(keys) - 1}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await server?.remove().catch(() => undefined);
  await ruche.stop();
}
