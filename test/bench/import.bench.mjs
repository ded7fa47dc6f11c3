// AlternC import benchmark, on real Debian server containers over SSH (the production path): an
// AlternC-shaped server (its panel database as alternc.md describes it, web roots, maildirs,
// client databases) holding 200 accounts, 2,000 domains (a site each), 5,000 mailboxes with 10
// messages each and 400 databases, is imported onto one Ruche server: wall time of the first
// run (items made, applied, data copied), then of the last pass (`final`: the accounts locked on
// the AlternC server, then what changed copied) and its cut-over window (lockedAt → finishedAt).
// `npm run bench -- import`; BENCH_ACCOUNTS changes the size (10 domains, 25 mailboxes, 2 databases each).
import md5Crypt from 'apache-md5';
import { encrypt as shaCrypt } from 'unixcrypt';
import { ensureFleetReady, startServer } from '../../infra/dist/fleet/index.js';
import { adminSession, cores, startRuche } from './support.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const DOMAINS_PER = 10;
const MAILBOXES_PER = 25;
const MESSAGES = 10;
const DATABASES_PER = 2;
const READER = { user: 'alternc_ro', password: 'bench-reader-pass' };

const login = (i) => `acc${i}`;
const domain = (i, j) => `acc${i}-d${j}.org`;

/** The panel database and the clients' databases, in one script. */
function alterncSql() {
  const mailHash = `{SHA512-CRYPT}${shaCrypt('bench-mail-pass', '$6$benchsalt')}`;
  const panelHash = md5Crypt('bench-panel-pass', '$1$benchslt$');
  const lines = [
    'CREATE DATABASE alternc;',
    'USE alternc;',
    "CREATE TABLE membres (uid int PRIMARY KEY, login varchar(14) NOT NULL, pass varchar(255) NOT NULL, mail varchar(255) NOT NULL, enabled tinyint NOT NULL DEFAULT 1, su tinyint NOT NULL DEFAULT 0, type varchar(128) NOT NULL DEFAULT 'default');",
    'CREATE TABLE local (uid int PRIMARY KEY, nom varchar(128), prenom varchar(128));',
    'CREATE TABLE quotas (uid int NOT NULL, name varchar(64) NOT NULL, total bigint NOT NULL, PRIMARY KEY (uid, name));',
    'CREATE TABLE domaines (id int AUTO_INCREMENT PRIMARY KEY, compte int NOT NULL, domaine varchar(255) NOT NULL, gesdns tinyint NOT NULL DEFAULT 1, gesmx tinyint NOT NULL DEFAULT 1, zonettl int NOT NULL DEFAULT 3600);',
    "CREATE TABLE sub_domaines (id int AUTO_INCREMENT PRIMARY KEY, compte int NOT NULL, domaine varchar(255) NOT NULL, sub varchar(100) NOT NULL DEFAULT '', valeur text, type varchar(30) NOT NULL, enable varchar(10) NOT NULL DEFAULT 'ENABLED', https varchar(6) NOT NULL DEFAULT 'http');",
    "CREATE TABLE address (id int AUTO_INCREMENT PRIMARY KEY, domain_id int NOT NULL, address varchar(255) NOT NULL, type varchar(20) NOT NULL DEFAULT '', password varchar(255), enabled tinyint NOT NULL DEFAULT 1);",
    'CREATE TABLE mailbox (id int AUTO_INCREMENT PRIMARY KEY, address_id int NOT NULL, path varchar(255) NOT NULL, quota bigint NOT NULL DEFAULT 0);',
    'CREATE TABLE recipient (id int AUTO_INCREMENT PRIMARY KEY, address_id int NOT NULL, recipients text NOT NULL);',
    'CREATE TABLE db (id int AUTO_INCREMENT PRIMARY KEY, uid int NOT NULL, db varchar(64) NOT NULL);',
    "CREATE TABLE dbusers (id int AUTO_INCREMENT PRIMARY KEY, uid int NOT NULL, name varchar(64) NOT NULL, password varchar(64) NOT NULL, enable varchar(16) NOT NULL DEFAULT 'ACTIVATED');",
  ];
  let domainId = 0;
  let addressId = 0;
  for (let i = 0; i < ACCOUNTS; i++) {
    const uid = 2000 + i;
    lines.push(`INSERT INTO membres (uid, login, pass, mail) VALUES (${uid}, '${login(i)}', '${panelHash}', 'contact@${domain(i, 0)}');`);
    lines.push(`INSERT INTO quotas VALUES (${uid}, 'dom', ${DOMAINS_PER}), (${uid}, 'mail', ${MAILBOXES_PER}), (${uid}, 'mysql', ${DATABASES_PER});`);
    const domainIds = [];
    for (let j = 0; j < DOMAINS_PER; j++) {
      domainIds.push(++domainId);
      lines.push(`INSERT INTO domaines (id, compte, domaine) VALUES (${domainId}, ${uid}, '${domain(i, j)}');`);
      lines.push(`INSERT INTO sub_domaines (compte, domaine, sub, valeur, type) VALUES (${uid}, '${domain(i, j)}', '', '/www', 'vhost');`);
    }
    for (let k = 0; k < MAILBOXES_PER; k++) {
      lines.push(`INSERT INTO address (id, domain_id, address, password) VALUES (${++addressId}, ${domainIds[k % DOMAINS_PER]}, 'box${k}', '${mailHash.replace(/'/g, "''")}');`);
      lines.push(`INSERT INTO mailbox (address_id, path, quota) VALUES (${addressId}, '/var/mail/alternc/a/${login(i)}/box${k}', 100);`);
    }
    lines.push(`INSERT INTO db (uid, db) VALUES (${uid}, '${login(i)}'), (${uid}, '${login(i)}_wp');`);
    lines.push(`INSERT INTO dbusers (uid, name, password) VALUES (${uid}, '${login(i)}_app', 'app-pass-${i}');`);
  }
  lines.push(`CREATE USER '${READER.user}'@'%' IDENTIFIED BY '${READER.password}';`, `GRANT SELECT ON alternc.* TO '${READER.user}'@'%';`);
  for (let i = 0; i < ACCOUNTS; i++) {
    lines.push(`CREATE USER '${login(i)}_app'@'%' IDENTIFIED BY 'app-pass-${i}';`);
    for (const name of [login(i), `${login(i)}_wp`]) {
      lines.push(`CREATE DATABASE ${name};`, `CREATE TABLE ${name}.posts (id int PRIMARY KEY, title varchar(200));`, `INSERT INTO ${name}.posts VALUES (1, 'un'), (2, 'deux');`);
      lines.push(`GRANT ALL ON ${name}.* TO '${login(i)}_app'@'%';`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Web roots and maildirs (messages in cur/, as read mail), written by one shell loop on the server. */
const FILES = `set -e
accounts=$1; boxes=$2; messages=$3
i=0
while [ $i -lt $accounts ]; do
  mkdir -p /var/www/alternc/a/acc$i/www
  printf '<h1>acc%s</h1>\\n' $i > /var/www/alternc/a/acc$i/www/index.html
  k=0
  while [ $k -lt $boxes ]; do
    dir=/var/mail/alternc/a/acc$i/box$k/Maildir
    mkdir -p $dir/cur $dir/new $dir/tmp
    m=0
    while [ $m -lt $messages ]; do
      printf 'Subject: message %s\\r\\nFrom: ancien@exemple.org\\r\\n\\r\\nbonjour\\r\\n' $m > $dir/cur/17000000$m.M$m.alternc:2,S
      m=$((m + 1))
    done
    k=$((k + 1))
  done
  i=$((i + 1))
done
chown -R 8:8 /var/mail/alternc`;

async function until(api, id, label) {
  const started = performance.now();
  for (;;) {
    const run = await api('GET', `/api/v1/imports/${id}`);
    if (run.status === 'done' || run.status === 'failed') return { run, seconds: (performance.now() - started) / 1000 };
    if (performance.now() - started > 3_600_000) throw new Error(`${label}: not done after an hour (step ${run.step}, ${run.itemsDone}/${run.itemsTotal})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

await ensureFleetReady();
const ruche = await startRuche();
const servers = [];
try {
  const api = await adminSession(ruche.baseUrl);
  const { publicKey } = await api('GET', '/api/v1/servers/ssh-public-key');
  // Nothing is placed on the embedded default's folder server: everything goes to the container.
  for (const server of (await api('GET', '/api/v1/servers')).data) await api('PATCH', `/api/v1/servers/${server.id}`, { status: 'paused' });
  const target = await startServer({ services: ['web', 'dns', 'mail', 'mariadb'], authorizedKey: publicKey });
  servers.push(target);
  await api('POST', '/api/v1/servers', { name: target.name, address: '127.0.0.1', port: target.ports.ssh, transport: 'ssh', services: ['web', 'dns', 'mail', 'mariadb'], publicIpv4: '192.0.2.10', publicHostname: 'mail.coop.example' });
  const alternc = await startServer({ services: ['mariadb', 'mail'], authorizedKey: publicKey, network: target.name });
  servers.push(alternc);
  const peer = await alternc.addressOn(target.name);

  const prepared = performance.now();
  const sql = await alternc.exec(['mariadb'], { input: alterncSql() });
  if (sql.exitCode !== 0) throw new Error(`AlternC database: ${sql.stderr}`);
  const files = await alternc.exec(['sh', '-c', FILES, 'bench-files', String(ACCOUNTS), String(MAILBOXES_PER), String(MESSAGES)]);
  if (files.exitCode !== 0) throw new Error(`AlternC files: ${files.stderr}`);
  const preparing = (performance.now() - prepared) / 1000;

  const source = await api('POST', '/api/v1/servers', { name: alternc.name, address: '127.0.0.1', port: alternc.ports.ssh, transport: 'ssh', services: ['mariadb'], publicIpv4: peer });
  await api('PATCH', `/api/v1/servers/${source.id}`, { status: 'paused' });
  const body = { databaseUrl: `mysql://${READER.user}:${READER.password}@127.0.0.1:${alternc.ports.mariadb}/alternc`, fromServerId: source.id, peerAddress: peer };

  const first = await until(api, (await api('POST', '/api/v1/imports', body)).id, 'the first run');
  if (first.run.status !== 'done') throw new Error(`the first run: ${first.run.status} ${first.run.lastError ?? ''}`);
  // A little changes on AlternC before the cut-over: a message per account.
  await alternc.exec(['sh', '-c', 'for d in /var/mail/alternc/a/*/box0/Maildir/new; do printf "Subject: dernier\\r\\n\\r\\nfin\\r\\n" > $d/1800000000.M1.alternc; done; chown -R 8:8 /var/mail/alternc']);
  const last = await until(api, (await api('POST', '/api/v1/imports', { ...body, final: true })).id, 'the last pass');
  if (last.run.status !== 'done') throw new Error(`the last pass: ${last.run.status} ${last.run.lastError ?? ''}`);
  const window = (Date.parse(last.run.finishedAt) - Date.parse(last.run.lockedAt)) / 1000;

  // Checks: a mailbox of the last account has its messages on the Ruche server; a database its rows.
  const box = `/var/mail/ruche`;
  const messages = (await target.exec(['sh', '-c', `find ${box} -type f -path '*/cur/*' | wc -l`])).stdout.trim();
  const rows = (await target.exec(['mariadb', '--batch', '--skip-column-names', '-e', `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'posts'`])).stdout.trim();

  const failedItems = first.run.itemsFailed + last.run.itemsFailed;
  console.log(`\nRuche AlternC import benchmark — ${cores} cores, Node ${process.version}, an AlternC-shaped server and a Ruche server, containers over SSH`);
  console.log(`  source: ${ACCOUNTS} accounts, ${(ACCOUNTS * DOMAINS_PER).toLocaleString('en')} domains (a site each), ${(ACCOUNTS * MAILBOXES_PER).toLocaleString('en')} mailboxes × ${MESSAGES} messages, ${ACCOUNTS * DATABASES_PER} databases (made in ${preparing.toFixed(0)} s)`);
  console.log(`  first run: ${first.seconds.toFixed(0)} s wall, ${first.run.itemsDone.toLocaleString('en')} items carried, ${first.run.itemsFailed} failed`);
  console.log(`  last pass (accounts locked, then what changed): ${last.seconds.toFixed(0)} s wall, cut-over window ${window.toFixed(0)} s`);
  console.log(`  check: ${Number(messages).toLocaleString('en')} messages in the Ruche server's maildirs; ${rows} databases with their table${failedItems ? `; ${failedItems} items FAILED` : ''}`);
  if (failedItems) process.exitCode = 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const server of servers.reverse()) await server.remove().catch(() => undefined);
  await ruche.stop();
}
