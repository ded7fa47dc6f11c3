import { Injectable } from '@nestjs/common';
import { SecretBox, TransactionalConnection } from '@ruche/core';
import { dkimRecordName, dkimRecordValue } from '../mail/dkim.js';
import type { RecordType } from '../dns/record-rules.js';
import type { Engine } from '../databases/database.entity.js';
import { resourceStateOf, STATE_COLUMNS, WAITING, type ResourceState, type StateRow } from './resource-state.js';

export interface DesiredSite {
  state: ResourceState;
  /** The organisation's prefix: its web space and system user on the server. */
  prefix: string;
  hostnames: string[];
  documentRoot: string;
  redirectTo: string | null;
  https: boolean;
}

export interface DesiredZone {
  state: ResourceState;
  name: string;
  serial: number;
  records: Array<{ type: RecordType; name: string; value: string; ttl: number; priority: number | null }>;
}

export interface DesiredDatabase {
  state: ResourceState;
  name: string;
}

export interface DesiredDatabaseUser {
  state: ResourceState;
  name: string;
  /** What the engine stores for the password: a mysql_native_password hash or a SCRAM-SHA-256 verifier. */
  passwordVerifier: string;
  /** The databases (names) the user may use, all privileges on each. */
  databases: string[];
}

export interface DesiredMailbox {
  state: ResourceState;
  address: string;
  /** In a scheme Dovecot reads (`{ARGON2ID}…`). */
  passwordHash: string;
  quotaMb: number;
  /** Where a copy also goes (the mailbox keeps its own). */
  forwards: string[];
}

export interface DesiredAlias {
  state: ResourceState;
  /** `*@domain` for a catch-all. */
  address: string;
  destinations: string[];
}

export interface DesiredMailDomain {
  /** ASCII form. */
  name: string;
  /** Its DKIM key, opened: the private key goes to the mail server and nowhere else. */
  dkim: { selector: string; privateKeyPem: string } | null;
}

/** Everything a mail server holds: its mailboxes and aliases, and the domains they are on. */
export interface DesiredMail {
  mailboxes: DesiredMailbox[];
  aliases: DesiredAlias[];
  /** Domains with at least one address on the server that is not being deleted. */
  domains: DesiredMailDomain[];
}

/**
 * What provisioning reads of the desired state, one service of one server at a time, deleting
 * resources included (the driver removes them). Hosting owns these tables: this is the only
 * way to read them from outside.
 */
@Injectable()
export class DesiredStateReader {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * The sites placed on a server; with `waiting`, only those waiting to be applied (changed,
   * being deleted, or caught mid-run: the reconciler's isWaiting, in SQL); with
   * `waiting-or-failed`, the failed ones too (their last good files may need taking off).
   */
  async sites(serverId: string, scope: 'all' | 'waiting' | 'waiting-or-failed' = 'all'): Promise<DesiredSite[]> {
    const where = scope === 'waiting' ? `AND ${WAITING}` : scope === 'waiting-or-failed' ? `AND (${WAITING} OR r.phase = 'failed')` : '';
    const rows = await this.db.query<StateRow & { document_root: string; redirect_to: string | null; https: boolean; prefix: string; hostnames: string[] }>(
      `SELECT ${STATE_COLUMNS}, r.document_root, r.redirect_to, r.https, o.prefix,
              array(SELECT h.hostname FROM site_hostnames h WHERE h.site_id = r.id ORDER BY h.position) AS hostnames
         FROM sites r JOIN organization_hosting o ON o.organization_id = r.organization_id
        WHERE r.server_id = $1 ${where} ORDER BY r.id`,
      [serverId],
    );
    return rows.map((row) => ({
      state: resourceStateOf('site', row, row.hostnames[0] ?? row.id),
      prefix: row.prefix,
      hostnames: row.hostnames,
      documentRoot: row.document_root,
      redirectTo: row.redirect_to,
      https: row.https,
    }));
  }

  /** The ids of the sites a server keeps (not being deleted): one indexed read, no rendering. */
  async keptSiteIds(serverId: string): Promise<string[]> {
    return this.keptColumn(`SELECT string_agg(id::text, ',') AS list FROM sites WHERE server_id = $1 AND phase <> 'deleting'`, serverId);
  }

  /** The names of the zones a server keeps (not being deleted): one indexed read, no records. */
  async keptZoneNames(serverId: string): Promise<string[]> {
    return this.keptColumn(`SELECT string_agg(name, ',') AS list FROM domains WHERE server_id = $1 AND phase <> 'deleting'`, serverId);
  }

  /**
   * One value of thousands of rows (ids, names: never a comma), as one string: a server holds
   * 10,000 sites, and a row each cost a click 15–30 ms where one string costs a few.
   */
  private async keptColumn(sql: string, serverId: string): Promise<string[]> {
    const [row] = await this.db.query<{ list: string | null }>(sql, [serverId]);
    return row?.list ? row.list.split(',') : [];
  }

  /**
   * Zones with the client's records and, for a domain with mail, the DKIM key Ruche publishes;
   * with `waiting`, only the zones waiting to be applied.
   */
  async zones(serverId: string, scope: 'all' | 'waiting' = 'all'): Promise<DesiredZone[]> {
    const rows = await this.db.query<StateRow & { name: string; serial: string; records: DesiredZone['records']; dkim: Array<{ selector: string; public_key: string }> }>(
      `SELECT ${STATE_COLUMNS}, r.name, r.serial,
              coalesce((SELECT json_agg(json_build_object('type', x.type, 'name', x.name, 'value', x.value, 'ttl', x.ttl, 'priority', x.priority))
                          FROM dns_records x WHERE x.domain_id = r.id), '[]') AS records,
              coalesce((SELECT json_agg(json_build_object('selector', k.selector, 'public_key', k.public_key))
                          FROM dkim_keys k WHERE k.domain_id = r.id AND r.mail_enabled), '[]') AS dkim
         FROM domains r WHERE r.server_id = $1 ${scope === 'waiting' ? `AND ${WAITING}` : ''} ORDER BY r.name`,
      [serverId],
    );
    return rows.map((row) => ({
      state: resourceStateOf('domain', row, row.name),
      name: row.name,
      serial: Number(row.serial),
      records: [
        ...row.records,
        ...row.dkim.map((key) => ({ type: 'TXT' as const, name: dkimRecordName(key.selector), value: dkimRecordValue(key.public_key), ttl: 3600, priority: null })),
      ],
    }));
  }

  /** The mail server's mailboxes and aliases (deleting ones included), and their domains with DKIM keys. */
  async mail(serverId: string): Promise<DesiredMail> {
    const mailboxes = await this.db.query<StateRow & { address: string; password_hash: string; quota_mb: number; forwards: string[] }>(
      `SELECT ${STATE_COLUMNS}, r.address, r.password_hash, r.quota_mb, r.forwards FROM mailboxes r WHERE r.server_id = $1 ORDER BY r.address`,
      [serverId],
    );
    const aliases = await this.db.query<StateRow & { address: string; destinations: string[] }>(
      `SELECT ${STATE_COLUMNS}, r.address, r.destinations FROM mail_aliases r WHERE r.server_id = $1 ORDER BY r.address`,
      [serverId],
    );
    const domains = await this.db.query<{ name: string; selector: string | null; private_key_sealed: string | null }>(
      `SELECT d.name, k.selector, k.private_key_sealed
         FROM domains d LEFT JOIN dkim_keys k ON k.domain_id = d.id
        WHERE d.id IN (SELECT domain_id FROM mailboxes WHERE server_id = $1 AND phase <> 'deleting'
                       UNION SELECT domain_id FROM mail_aliases WHERE server_id = $1 AND phase <> 'deleting')
        ORDER BY d.name`,
      [serverId],
    );
    return {
      mailboxes: mailboxes.map((row) => ({
        state: resourceStateOf('mailbox', row, row.address),
        address: row.address,
        passwordHash: row.password_hash,
        quotaMb: row.quota_mb,
        forwards: row.forwards,
      })),
      aliases: aliases.map((row) => ({ state: resourceStateOf('mail_alias', row, row.address), address: row.address, destinations: row.destinations })),
      domains: domains.map((row) => ({
        name: row.name,
        dkim: row.selector && row.private_key_sealed ? { selector: row.selector, privateKeyPem: this.secrets.open(row.private_key_sealed) } : null,
      })),
    };
  }

  async databases(serverId: string, engine: Engine): Promise<DesiredDatabase[]> {
    const rows = await this.db.query<StateRow & { name: string }>(`SELECT ${STATE_COLUMNS}, r.name FROM databases r WHERE r.server_id = $1 AND r.engine = $2 ORDER BY r.name`, [serverId, engine]);
    return rows.map((row) => ({ state: resourceStateOf('database', row, row.name), name: row.name }));
  }

  /** Users of one engine on a server, with the databases they are granted (those not being deleted). */
  async databaseUsers(serverId: string, engine: Engine): Promise<DesiredDatabaseUser[]> {
    const rows = await this.db.query<StateRow & { name: string; password_verifier: string; databases: string[] }>(
      `SELECT ${STATE_COLUMNS}, r.name, r.password_verifier,
              array(SELECT d.name FROM database_grants g JOIN databases d ON d.id = g.database_id
                     WHERE g.database_user_id = r.id AND d.phase <> 'deleting' ORDER BY d.name) AS databases
         FROM database_users r WHERE r.server_id = $1 AND r.engine = $2 ORDER BY r.name`,
      [serverId, engine],
    );
    return rows.map((row) => ({ state: resourceStateOf('database_user', row, row.name), name: row.name, passwordVerifier: row.password_verifier, databases: row.databases }));
  }
}
