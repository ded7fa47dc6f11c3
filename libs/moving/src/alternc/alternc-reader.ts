import mysql from 'mysql2/promise';
import type { AlterncSnapshot } from './alternc-snapshot.js';

/** The AlternC panel database could not be read: the message says why (never the URL's password). */
export class AlterncUnreachable extends Error {
  override name = 'AlterncUnreachable';
}

type Row = Record<string, unknown>;

const text = (value: unknown): string => (value === null || value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
const flag = (value: unknown): boolean => text(value) === '1' || value === 1 || value === true;

/**
 * Reads AlternC's panel database in one read-only transaction (consistent across tables).
 * Zone files are not here: the caller reads those on the AlternC server.
 */
export async function readAlterncDatabase(databaseUrl: string): Promise<Omit<AlterncSnapshot, 'domains'> & { domains: Array<Omit<AlterncSnapshot['domains'][number], 'zoneExtra'>> }> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ uri: databaseUrl, connectTimeout: 10_000, dateStrings: true, supportBigNumbers: true });
  } catch (error) {
    throw new AlterncUnreachable((error as Error).message.replace(/\/\/[^@/]*@/g, '//…@'));
  }
  try {
    await connection.query('SET SESSION TRANSACTION READ ONLY');
    await connection.query('START TRANSACTION READ ONLY');
    const select = async (sql: string): Promise<Row[]> => (await connection.query(sql))[0] as Row[];
    const members = await select('SELECT uid, login, pass, mail, enabled FROM membres ORDER BY uid');
    const locals = await select('SELECT uid, nom, prenom FROM local').catch(() => [] as Row[]);
    const quotas = await select('SELECT uid, name, total FROM quotas').catch(() => [] as Row[]);
    const domains = await select('SELECT compte, domaine, gesdns, gesmx FROM domaines ORDER BY domaine');
    const subs = await select('SELECT compte, domaine, sub, type, valeur, enable, https FROM sub_domaines ORDER BY domaine, sub, type, valeur');
    const addresses = await select(
      `SELECT a.id, a.address, a.type, a.password, a.enabled, d.domaine, m.path, m.quota, r.recipients
         FROM address a JOIN domaines d ON d.id = a.domain_id
         LEFT JOIN mailbox m ON m.address_id = a.id
         LEFT JOIN recipient r ON r.address_id = a.id
        ORDER BY d.domaine, a.address`,
    );
    const databases = await select('SELECT uid, db FROM db ORDER BY db');
    const users = await select('SELECT uid, name, password, enable FROM dbusers ORDER BY name');
    // Older panels may have no FTP table.
    const ftp = await select('SELECT name, homedir FROM ftpusers ORDER BY name').catch(() => [] as Row[]);
    await connection.query('COMMIT');
    const localOf = new Map(locals.map((row) => [Number(row.uid), `${text(row.prenom)} ${text(row.nom)}`.trim()]));
    return {
      accounts: members.map((row) => ({
        uid: Number(row.uid),
        login: text(row.login),
        passwordHash: text(row.pass),
        email: text(row.mail),
        enabled: flag(row.enabled),
        displayName: localOf.get(Number(row.uid)) || null,
        quotas: Object.fromEntries(quotas.filter((quota) => Number(quota.uid) === Number(row.uid)).map((quota) => [text(quota.name), Number(quota.total)])),
      })),
      domains: domains.map((row) => ({ uid: Number(row.compte), name: text(row.domaine), dnsManaged: flag(row.gesdns), mailManaged: flag(row.gesmx) })),
      subDomains: subs.map((row) => ({ uid: Number(row.compte), domain: text(row.domaine), sub: text(row.sub), type: text(row.type), value: text(row.valeur), enable: text(row.enable), https: text(row.https) })),
      addresses: addresses.map((row) => ({
        id: Number(row.id),
        domain: text(row.domaine),
        localPart: text(row.address),
        type: text(row.type),
        passwordHash: row.password === null ? null : text(row.password),
        enabled: flag(row.enabled),
        mailbox: row.path === null || row.path === undefined ? null : { path: text(row.path), quotaMb: Number(row.quota ?? 0) },
        recipients: text(row.recipients).split(/\r?\n/),
      })),
      databases: databases.map((row) => ({ uid: Number(row.uid), name: text(row.db) })),
      databaseUsers: users.map((row) => ({ uid: Number(row.uid), name: text(row.name), password: text(row.password), enable: text(row.enable) })),
      ftpAccounts: ftp.map((row) => ({ name: text(row.name), homedir: text(row.homedir) })),
    };
  } catch (error) {
    throw new AlterncUnreachable((error as Error).message);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
