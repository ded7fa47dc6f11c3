import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, AuditService, Conflict, invalidFields, mapPage, newId, TransactionalConnection, type Page } from '@ruche/core';
import type { z } from 'zod';
import { databasePasswordVerifier, generatePassword } from '../credentials/credential-hashes.js';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { resourceState, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { databaseFullName } from '../names/identifiers.js';
import { PlansService } from '../plans/plans.service.js';
import { QuotasService } from '../plans/quotas.service.js';
import { ServersService } from '../servers/servers.service.js';
import { Database, type Engine } from './database.entity.js';
import { DatabaseUser } from './database-user.entity.js';
import type { databaseConnectionSchema, databaseSchema, databaseUserSchema } from './database.schemas.js';
import { Server } from '../servers/server.entity.js';

const DEFAULT_PORTS: Record<Engine, number> = { mariadb: 3306, postgresql: 5432 };

export function toDatabaseDto(database: Database): z.infer<typeof databaseSchema> {
  return { ...resourceState(database), engine: database.engine, name: database.name, storageBytes: database.storageBytes };
}

export function toDatabaseUserDto(user: DatabaseUser, password?: string): z.infer<typeof databaseUserSchema> {
  return {
    ...resourceState(user),
    engine: user.engine,
    name: user.name,
    databases: (user.databases ?? []).map((database) => database.id),
    ...(password ? { password } : {}),
  };
}

/** MariaDB and PostgreSQL databases and their users, named with the organisation's prefix. */
@Injectable()
export class DatabasesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly quotas: QuotasService,
    private readonly servers: ServersService,
    private readonly plans: PlansService,
    private readonly audit: AuditService,
  ) {}

  private async fullName(organizationId: string, shortName: string): Promise<string> {
    const name = databaseFullName(await this.plans.prefixOf(organizationId), shortName);
    if (!name) throw invalidFields({ field: 'name', code: 'database_name_invalid' });
    return name;
  }

  async createDatabase(input: { organizationId: string; engine: Engine; name: string; serverId?: string | undefined }): Promise<Database> {
    assertOrganizationAccess('hosting:write', input.organizationId);
    await this.state.lockOrganization(input.organizationId);
    const name = await this.fullName(input.organizationId, input.name);
    if (await this.db.getRepository(Database).findOneBy({ engine: input.engine, name })) throw new Conflict('database_name_taken', { name });
    await this.quotas.assertRoom(input.organizationId, { databases: 1 });
    const server = await this.servers.place(input.organizationId, input.engine, input.serverId);
    return this.state.insert(
      'database',
      Database,
      { id: newId(), organizationId: input.organizationId, serverId: server.id, engine: input.engine, name },
      input.engine,
      (database) => ({ engine: database.engine, name: database.name }),
    );
  }

  getDatabase(id: string) {
    return this.state.visible(Database, id, 'hosting:read');
  }

  /**
   * Where the database's server answers (its public host name, else its public address, else
   * the address Ruche uses), and who may log in to it: each user with its own password.
   */
  async connection(id: string): Promise<z.infer<typeof databaseConnectionSchema>> {
    const database = await this.getDatabase(id);
    const server = await this.db.getRepository(Server).findOneByOrFail({ id: database.serverId });
    const host = server.publicHostname ?? server.publicIpv4 ?? server.publicIpv6 ?? server.address;
    const users = await this.db.query<{ name: string }>(
      `SELECT u.name FROM database_grants g JOIN database_users u ON u.id = g.database_user_id WHERE g.database_id = $1 AND u.phase <> 'deleting' ORDER BY u.name`,
      [database.id],
    );
    return { engine: database.engine, host, port: DEFAULT_PORTS[database.engine], database: database.name, users: users.map((user) => user.name) };
  }

  async listDatabases(query: ResourceListQuery) {
    return mapPage(await this.state.list(Database, query), toDatabaseDto);
  }

  /**
   * The users granted the database lose it: their grants go now (the driver revokes them
   * before it drops the database) and each is applied again, a change asked for, not drift.
   */
  removeDatabase(id: string): Promise<void> {
    return this.state.remove(
      'database',
      Database,
      id,
      (database) => database.engine,
      (database) => ({ engine: database.engine, name: database.name }),
      async (database) => {
        const granted = await this.db.query<{ database_user_id: string }>(`DELETE FROM database_grants WHERE database_id = $1 RETURNING database_user_id`, [database.id]);
        if (granted.length === 0) return;
        const users = await this.db
          .getRepository(DatabaseUser)
          .createQueryBuilder('u')
          .setLock('pessimistic_write')
          .where('u.id = ANY(:ids::uuid[])', { ids: granted.map((row) => row.database_user_id) })
          .andWhere(`u.phase <> 'deleting'`)
          .getMany();
        for (const user of users) await this.state.changed('database_user', DatabaseUser, user, user.engine);
      },
    );
  }

  // --- users ----------------------------------------------------------------------------

  /** The granted databases: the organisation's own, of the same engine, all on one server. */
  private async grantable(organizationId: string, engine: Engine, ids: string[]): Promise<Database[]> {
    if (ids.length === 0) return [];
    const databases = await this.db
      .getRepository(Database)
      .createQueryBuilder('d')
      .where('d.id = ANY(:ids::uuid[]) AND d.organizationId = :organizationId AND d.engine = :engine', { ids, organizationId, engine })
      .andWhere(`d.phase <> 'deleting'`)
      .getMany();
    const unique = [...new Set(ids)];
    if (databases.length !== unique.length) throw invalidFields({ field: 'databases', code: 'database_not_grantable' });
    if (new Set(databases.map((database) => database.serverId)).size > 1) throw invalidFields({ field: 'databases', code: 'databases_on_several_servers' });
    return databases;
  }

  async createUser(input: { organizationId: string; engine: Engine; name: string; password?: string | undefined; databases: string[]; serverId?: string | undefined }) {
    assertOrganizationAccess('hosting:write', input.organizationId);
    await this.state.lockOrganization(input.organizationId);
    const name = await this.fullName(input.organizationId, input.name);
    if (await this.db.getRepository(DatabaseUser).findOneBy({ engine: input.engine, name })) throw new Conflict('database_user_taken', { name });
    const databases = await this.grantable(input.organizationId, input.engine, input.databases);
    // A login lives where its databases are.
    const serverId = databases[0]?.serverId ?? (await this.servers.place(input.organizationId, input.engine, input.serverId)).id;
    const password = input.password ?? generatePassword();
    const inserted = await this.state.insert(
      'database_user',
      DatabaseUser,
      {
        id: newId(),
        organizationId: input.organizationId,
        serverId,
        engine: input.engine,
        name,
        passwordVerifier: databasePasswordVerifier(input.engine, password),
      },
      input.engine,
      (row) => ({ engine: row.engine, name: row.name, databases: databases.map((database) => database.name) }),
      (row) => this.setGrants(row.id, databases),
    );
    const user = await this.loadUser(inserted.id);
    return { user, generatedPassword: input.password ? undefined : password };
  }

  private async setGrants(userId: string, databases: Database[]): Promise<void> {
    await this.db.query(`DELETE FROM database_grants WHERE database_user_id = $1`, [userId]);
    if (databases.length > 0) {
      await this.db.query(`INSERT INTO database_grants (database_user_id, database_id) SELECT $1, unnest($2::uuid[])`, [userId, databases.map((d) => d.id)]);
    }
  }

  private loadUser(id: string): Promise<DatabaseUser> {
    return this.db.getRepository(DatabaseUser).findOneOrFail({ where: { id }, relations: { databases: true } });
  }

  async getUser(id: string): Promise<DatabaseUser> {
    await this.state.visible(DatabaseUser, id, 'hosting:read');
    return this.loadUser(id);
  }

  async listUsers(query: ResourceListQuery): Promise<Page<z.infer<typeof databaseUserSchema>>> {
    const page = await this.state.list(DatabaseUser, query);
    const grants = await this.db.query<{ database_user_id: string; database_id: string }>(
      `SELECT database_user_id, database_id FROM database_grants WHERE database_user_id = ANY($1::uuid[]) ORDER BY database_id`,
      [page.data.map((user) => user.id)],
    );
    return {
      data: page.data.map((user) => ({
        ...toDatabaseUserDto(user),
        databases: grants.filter((grant) => grant.database_user_id === user.id).map((grant) => grant.database_id),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async updateUser(id: string, changes: { password?: string | undefined; databases?: string[] | undefined }): Promise<DatabaseUser> {
    const user = await this.state.visible(DatabaseUser, id, 'hosting:write', true);
    if (user.phase === 'deleting') throw new Conflict('resource_deleting');
    const before = await this.loadUser(id);
    if (changes.databases) {
      const databases = await this.grantable(user.organizationId, user.engine, changes.databases);
      if (databases.some((database) => database.serverId !== user.serverId)) throw invalidFields({ field: 'databases', code: 'databases_on_several_servers' });
      await this.setGrants(id, databases);
    }
    if (changes.password !== undefined) {
      await this.db.getRepository(DatabaseUser).update({ id }, { passwordVerifier: databasePasswordVerifier(user.engine, changes.password) });
    }
    const after = await this.loadUser(id);
    await this.audit.record({
      action: 'database_user.update',
      targetType: 'database_user',
      targetId: id,
      organizationId: user.organizationId,
      before: { databases: (before.databases ?? []).map((d) => d.name) },
      after: { databases: (after.databases ?? []).map((d) => d.name), passwordChanged: changes.password !== undefined },
    });
    await this.state.changed('database_user', DatabaseUser, user, user.engine);
    return this.loadUser(id);
  }

  removeUser(id: string): Promise<void> {
    return this.state.remove('database_user', DatabaseUser, id, (user) => user.engine, (user) => ({ engine: user.engine, name: user.name }));
  }
}
