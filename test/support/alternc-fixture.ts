import bcrypt from '@node-rs/bcrypt';
import md5Crypt from 'apache-md5';
import { encrypt as shaCrypt } from 'unixcrypt';
import { expect } from 'vitest';
import { startServer, type TestServer } from '@ruche/infra/fleet';

/**
 * An AlternC server as alternc.md describes it, built from those facts in a fleet container:
 * the panel database (`alternc`: membres, local, quotas, domaines, sub_domaines, address,
 * mailbox, recipient, db, dbusers, ftpusers), the clients' databases, web files under
 * /var/www/alternc/<l>/<login>/, maildirs at the stored paths, zone files with hand-made
 * records after AlternC's generated part.
 */
export const ALTERNC = {
  panelPasswords: { radio: 'radio-panel-pass', cafe: 'cafe-panel-pass' },
  contacts: { radio: 'direction@radio-cv.org', cafe: 'tresorerie@cafe-sol.org' },
  mail: {
    info: { address: 'info@radio-cv.org', password: 'info-mail-pass', subject: 'Programmation 1998' },
    archives: { address: 'archives@radio-cv.org', password: 'archives-pass', subject: 'Vieux courriel md5' },
  },
  database: { user: 'radio_app', password: 'app-old-secret', databases: ['radio_wp', 'radio_main'] },
  reader: { user: 'alternc_ro', password: 'ro-secret-pass' },
} as const;

export interface AlterncFixture {
  server: TestServer;
  /** Its address on the fleet's network: where the new servers reach it. */
  address: string;
  databaseUrl: string;
  /** Runs SQL as MariaDB's root on the AlternC server. */
  sql(statements: string): Promise<void>;
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function message(subject: string, body: string): string {
  return [`From: ancien@exemple.org`, `To: someone@radio-cv.org`, `Subject: ${subject}`, `Date: Mon, 7 Sep 1998 10:00:00 -0400`, `Message-ID: <${subject.replace(/\W/g, '')}@alternc>`, '', body, ''].join('\r\n');
}

export async function startAlterncServer(options: { authorizedKey: string; network: string }): Promise<AlterncFixture> {
  // Its mail server runs, as an AlternC server's does (the last pass holds mail there).
  const server = await startServer({ services: ['mariadb', 'mail'], authorizedKey: options.authorizedKey, network: options.network });
  const run = async (argv: string[], input?: string) => {
    const result = await server.exec(argv, input === undefined ? {} : { input });
    expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const sql = async (statements: string) => {
    await run(['mariadb'], statements);
  };

  const bcryptHash = bcrypt.hashSync(ALTERNC.panelPasswords.radio, { cost: 10 }).replace(/^\$2b\$/, '$2y$');
  const md5Panel = md5Crypt(ALTERNC.panelPasswords.cafe, '$1$cafesalt$');
  const sha512Mail = `{SHA512-CRYPT}${shaCrypt(ALTERNC.mail.info.password, '$6$infosalt')}`;
  const md5Mail = md5Crypt(ALTERNC.mail.archives.password, '$1$archsalt$');

  await sql(`
CREATE DATABASE alternc;
USE alternc;
CREATE TABLE membres (uid int PRIMARY KEY, login varchar(14) NOT NULL, pass varchar(255) NOT NULL, mail varchar(255) NOT NULL, enabled tinyint NOT NULL DEFAULT 1, su tinyint NOT NULL DEFAULT 0, type varchar(128) NOT NULL DEFAULT 'default');
CREATE TABLE local (uid int PRIMARY KEY, nom varchar(128), prenom varchar(128));
CREATE TABLE quotas (uid int NOT NULL, name varchar(64) NOT NULL, total bigint NOT NULL, PRIMARY KEY (uid, name));
CREATE TABLE domaines (id int AUTO_INCREMENT PRIMARY KEY, compte int NOT NULL, domaine varchar(255) NOT NULL, gesdns tinyint NOT NULL DEFAULT 1, gesmx tinyint NOT NULL DEFAULT 1, zonettl int NOT NULL DEFAULT 3600);
CREATE TABLE sub_domaines (id int AUTO_INCREMENT PRIMARY KEY, compte int NOT NULL, domaine varchar(255) NOT NULL, sub varchar(100) NOT NULL DEFAULT '', valeur text, type varchar(30) NOT NULL, enable varchar(10) NOT NULL DEFAULT 'ENABLED', https varchar(6) NOT NULL DEFAULT 'http');
CREATE TABLE address (id int AUTO_INCREMENT PRIMARY KEY, domain_id int NOT NULL, address varchar(255) NOT NULL, type varchar(20) NOT NULL DEFAULT '', password varchar(255), enabled tinyint NOT NULL DEFAULT 1);
CREATE TABLE mailbox (id int AUTO_INCREMENT PRIMARY KEY, address_id int NOT NULL, path varchar(255) NOT NULL, quota bigint NOT NULL DEFAULT 0);
CREATE TABLE recipient (id int AUTO_INCREMENT PRIMARY KEY, address_id int NOT NULL, recipients text NOT NULL);
CREATE TABLE db (id int AUTO_INCREMENT PRIMARY KEY, uid int NOT NULL, db varchar(64) NOT NULL);
CREATE TABLE dbusers (id int AUTO_INCREMENT PRIMARY KEY, uid int NOT NULL, name varchar(64) NOT NULL, password varchar(64) NOT NULL, enable varchar(16) NOT NULL DEFAULT 'ACTIVATED');
CREATE TABLE ftpusers (id int AUTO_INCREMENT PRIMARY KEY, uid int NOT NULL, name varchar(64) NOT NULL, encrypted_password varchar(255), homedir varchar(255) NOT NULL);

INSERT INTO membres (uid, login, pass, mail) VALUES (2000, 'radio', ${quote(bcryptHash)}, ${quote(ALTERNC.contacts.radio)}), (2001, 'cafe', ${quote(md5Panel)}, ${quote(ALTERNC.contacts.cafe)});
INSERT INTO local VALUES (2000, 'Centre-Ville', 'Radio'), (2001, 'Solidaire', 'Café');
INSERT INTO quotas VALUES (2000, 'dom', 5), (2000, 'mail', 20), (2000, 'mysql', 3), (2000, 'web', 512000), (2001, 'dom', 1);
-- radio-studio.org has no zone file yet (AlternC writes it at its next cron run), and comes last.
INSERT INTO domaines (id, compte, domaine, gesdns, gesmx) VALUES (1, 2000, 'radio-cv.org', 1, 1), (2, 2001, 'cafe-sol.org', 1, 0), (3, 2000, 'radio-studio.org', 1, 0);
INSERT INTO sub_domaines (compte, domaine, sub, valeur, type, enable, https) VALUES
  (2000, 'radio-cv.org', '', '/www', 'VHOST', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', 'www', '/www', 'vhost', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', 'blog', '/blog/', 'Vhost', 'ENABLED', 'both'),
  (2000, 'radio-cv.org', 'ancien', 'https://radio-cv.org/', 'URL', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', '*', '/www', 'vhost', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', 'boutique', '/shop', 'vhost-ssl', 'DISABLED', 'http'),
  (2000, 'radio-cv.org', 'ext', '203.0.113.5', 'IP', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', 'v6', '2001:db8::5', 'ipv6', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', 'relais', 'ext.radio-cv.org.', 'CNAME', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', '', 'google-site-verification=radio', 'txt', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', '', 'mx.secours-mail.org', 'mx', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', '', 'mail.alternc.example', 'defmx', 'ENABLED', 'http'),
  (2000, 'radio-cv.org', '', 'v=DKIM1; p=MIGf', 'dkim', 'ENABLED', 'http'),
  (2001, 'cafe-sol.org', '', '/www', 'vhost', 'ENABLED', 'http'),
  (2001, 'cafe-sol.org', 'www', 'http://cafe-sol.org/', 'url', 'ENABLED', 'http');
INSERT INTO address (id, domain_id, address, type, password) VALUES
  (1, 1, 'info', '', ${quote(sha512Mail)}),
  (2, 1, 'archives', '', ${quote(md5Mail)}),
  (3, 1, '', 'catchall', NULL),
  (4, 1, 'contact', '', NULL);
INSERT INTO mailbox (address_id, path, quota) VALUES (1, '/var/mail/alternc/r/radio/info', 100), (2, '/var/mail/alternc/r/radio/archives', 0);
INSERT INTO recipient (address_id, recipients) VALUES (1, 'direction@exemple.org'), (3, 'info@radio-cv.org'), (4, 'info@radio-cv.org\narchives@radio-cv.org');
INSERT INTO ftpusers (uid, name, encrypted_password, homedir) VALUES (2000, 'radio_web', ${quote(shaCrypt('ftp-pass', '$6$ftpsalt'))}, '/var/www/alternc/r/radio/www'), (2001, 'cafe', NULL, '/var/www/alternc/c/cafe/');
INSERT INTO db (uid, db) VALUES (2000, 'radio_wp'), (2000, 'radio');
INSERT INTO dbusers (uid, name, password, enable) VALUES (2000, ${quote(ALTERNC.database.user)}, ${quote(ALTERNC.database.password)}, 'ACTIVATED'), (2000, '2000_myadm', 'panel-secret', 'ADMIN');

CREATE DATABASE radio_wp;
CREATE TABLE radio_wp.posts (id int PRIMARY KEY, title varchar(200));
INSERT INTO radio_wp.posts VALUES (1, 'Bienvenue'), (2, 'Émission spéciale');
CREATE DATABASE radio;
CREATE TABLE radio.listeners (id int PRIMARY KEY, name varchar(200));
INSERT INTO radio.listeners VALUES (1, 'Ginette');

-- The account's database user, as AlternC makes it (the last pass locks it).
CREATE USER ${quote(ALTERNC.database.user)}@'%' IDENTIFIED BY ${quote(ALTERNC.database.password)};
GRANT ALL ON radio_wp.* TO ${quote(ALTERNC.database.user)}@'%';
GRANT ALL ON radio.* TO ${quote(ALTERNC.database.user)}@'%';
CREATE USER ${quote(ALTERNC.reader.user)}@'%' IDENTIFIED BY ${quote(ALTERNC.reader.password)};
GRANT SELECT ON alternc.* TO ${quote(ALTERNC.reader.user)}@'%';
`);

  // Files: web roots, maildirs (one message read, one new), the zone file with hand-made records.
  const files: Array<[string, string]> = [
    ['/var/www/alternc/r/radio/www/index.html', '<h1>Radio Centre-Ville</h1><p>archives depuis 1998</p>\n'],
    ['/var/www/alternc/r/radio/www/grille.txt', 'lundi: matin\n'],
    ['/var/www/alternc/r/radio/blog/index.html', '<p>le blogue de la radio</p>\n'],
    ['/var/www/alternc/c/cafe/www/index.html', '<p>Café Solidaire, ouvert tous les jours</p>\n'],
    ['/var/mail/alternc/r/radio/info/Maildir/cur/904924800.M1P1.alternc:2,S', message(ALTERNC.mail.info.subject, 'la grille de 1998')],
    ['/var/mail/alternc/r/radio/archives/Maildir/new/904924801.M2P2.alternc', message(ALTERNC.mail.archives.subject, 'un vieux message')],
    [
      '/var/lib/alternc/bind/zones/radio-cv.org',
      [
        '$TTL 3600',
        '@ IN SOA ns1.alternc.example. hostmaster.alternc.example. 2024010101 3600 600 604800 3600',
        '@ IN NS ns1.alternc.example.',
        'www IN A 192.0.2.200',
        ';;; END ALTERNC AUTOGENERATE CONFIGURATION',
        '; studio records, typed by hand',
        'studio 600 IN A 198.51.100.7',
        '_sip._tcp IN SRV 10 5 5060 sip.radio-cv.org.',
        'legacy IN HINFO "PC" "Linux"',
        '',
      ].join('\n'),
    ],
  ];
  for (const [path, content] of files) {
    await run(['sh', '-c', 'mkdir -p -- "${1%/*}" && cat > "$1"', 'write', path], content);
  }
  await run(['sh', '-c', 'mkdir -p /var/mail/alternc/r/radio/info/Maildir/new /var/mail/alternc/r/radio/info/Maildir/tmp /var/mail/alternc/r/radio/archives/Maildir/cur /var/mail/alternc/r/radio/archives/Maildir/tmp && chown -R 2000:33 /var/www/alternc/r/radio /var/www/alternc/c/cafe && chown -R 8:8 /var/mail/alternc']);

  const address = await server.addressOn(options.network);
  return { server, address, sql, databaseUrl: `mysql://${ALTERNC.reader.user}:${ALTERNC.reader.password}@127.0.0.1:${server.ports.mariadb}/alternc` };
}
