import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '@ruche/core';
import type { RecordType } from '../dns/record-rules.js';
import type { Engine } from '../databases/database.entity.js';
import { resourceStateOf, STATE_COLUMNS, type ResourceState, type StateRow } from './resource-state.js';

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

/**
 * What provisioning reads of the desired state, one service of one server at a time, deleting
 * resources included (the driver removes them). Hosting owns these tables: this is the only
 * way to read them from outside.
 */
@Injectable()
export class DesiredStateReader {
  constructor(private readonly db: TransactionalConnection) {}

  async sites(serverId: string): Promise<DesiredSite[]> {
    const rows = await this.db.query<StateRow & { document_root: string; redirect_to: string | null; https: boolean; prefix: string; hostnames: string[] }>(
      `SELECT ${STATE_COLUMNS}, r.document_root, r.redirect_to, r.https, o.prefix,
              array(SELECT h.hostname FROM site_hostnames h WHERE h.site_id = r.id ORDER BY h.position) AS hostnames
         FROM sites r JOIN organization_hosting o ON o.organization_id = r.organization_id
        WHERE r.server_id = $1 ORDER BY r.id`,
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

  async zones(serverId: string): Promise<DesiredZone[]> {
    const rows = await this.db.query<StateRow & { name: string; serial: string; records: DesiredZone['records'] }>(
      `SELECT ${STATE_COLUMNS}, r.name, r.serial,
              coalesce((SELECT json_agg(json_build_object('type', x.type, 'name', x.name, 'value', x.value, 'ttl', x.ttl, 'priority', x.priority))
                          FROM dns_records x WHERE x.domain_id = r.id), '[]') AS records
         FROM domains r WHERE r.server_id = $1 ORDER BY r.name`,
      [serverId],
    );
    return rows.map((row) => ({ state: resourceStateOf('domain', row, row.name), name: row.name, serial: Number(row.serial), records: row.records }));
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
