import { Inject, Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, mapPage, newId, NotFound, paginate, SecretBox, TransactionalConnection, visibleOrganizationIds, type Page } from '@ruche/core';
import type { z } from 'zod';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { RESOURCE_KINDS, type ResourceType } from '../desired-state/resource-kinds.js';
import type { Service } from '../desired-state/hosted-resource.js';
import { Mailbox } from '../mail/mailbox.entity.js';
import { Database, type Engine } from '../databases/database.entity.js';
import { HOSTING_SETTINGS, type HostingSettings } from '../hosting.settings.js';
import { Archive, type ArchiveKind } from './archive.entity.js';
import type { ArchiveDto, listArchivesSchema } from './archive.schemas.js';

export function toArchiveDto(archive: Archive): ArchiveDto {
  return {
    id: archive.id,
    organizationId: archive.organizationId,
    serverId: archive.serverId,
    kind: archive.kind,
    name: archive.name,
    service: archive.service,
    sizeBytes: Number(archive.sizeBytes),
    status: archive.status,
    createdAt: archive.createdAt.toISOString(),
    expiresAt: archive.expiresAt.toISOString(),
    restoredAs: archive.restoredAs,
  };
}

/** What making a mailbox again needs (kept sealed in the archive). */
interface MailboxDetails {
  domainId: string;
  localPart: string;
  passwordHash: string;
  quotaMb: number;
  /** Archives made before forwards existed have none. */
  forwards?: string[];
}

/** An archive waiting to be restored into a resource, as a driver reads it. */
export interface RestoreFrom {
  archiveId: string;
  /** The archive's file on the server. */
  path: string;
}

/** An archive whose time is up, for the purge. */
export interface ExpiredArchive {
  id: string;
  serverId: string;
  path: string;
}

/**
 * Archives of deleted mailboxes and databases: drivers record them (their file on the server),
 * organisations list theirs, staff restore one (the resource is made again from it, on the
 * server that holds the file), and the daily purge removes the expired ones.
 */
@Injectable()
export class ArchivesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
    @Inject(HOSTING_SETTINGS.token) private readonly settings: HostingSettings,
  ) {}

  async list(query: z.infer<typeof listArchivesSchema>): Promise<Page<ArchiveDto>> {
    const visible = visibleOrganizationIds('hosting:read');
    const qb = this.db.getRepository(Archive).createQueryBuilder('a');
    if (visible !== 'all') qb.andWhere('a.organizationId = ANY(:visible::uuid[])', { visible });
    if (query.organizationId) qb.andWhere('a.organizationId = :organizationId', { organizationId: query.organizationId });
    if (query.kind) qb.andWhere('a.kind = :kind', { kind: query.kind });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    return mapPage(await paginate(qb, query, 'DESC'), toArchiveDto);
  }

  /**
   * Records the archive a driver made of a resource being deleted (its row still there): what
   * making it again needs is read from the row and sealed. Idempotent per resource: a driver
   * that archives again (a retried run) replaces the record.
   */
  async recordArchive(input: { type: ResourceType & ArchiveKind; id: string; path: string; sizeBytes: number }): Promise<void> {
    const kind = RESOURCE_KINDS[input.type];
    const row = (await this.db.getRepository(kind.entity).findOneByOrFail({ id: input.id })) as unknown as (Mailbox | Database) & { engine?: Engine };
    const details = input.type === 'mailbox' ? mailboxDetails(row as Mailbox) : {};
    const name = input.type === 'mailbox' ? (row as Mailbox).address : (row as Database).name;
    const expiresAt = new Date(Date.now() + this.settings.archiveRetentionDays * 86_400_000);
    await this.db.query(`DELETE FROM archives WHERE resource_id = $1 AND status = 'ready'`, [input.id]);
    await this.db.getRepository(Archive).insert({
      id: newId(),
      organizationId: row.organizationId,
      serverId: row.serverId,
      service: kind.service(row),
      kind: input.type,
      name,
      resourceId: input.id,
      path: input.path,
      sizeBytes: String(input.sizeBytes),
      detailsSealed: this.secrets.seal(JSON.stringify(details)),
      status: 'ready',
      expiresAt,
      restoredAs: null,
    });
  }

  /**
   * Staff make the resource again from an archive, on the server that holds the file; its
   * driver fills it from the archive before it goes ready. The name must be free again.
   */
  async restore(id: string): Promise<{ archive: ArchiveDto; resourceType: ArchiveKind; resourceId: string }> {
    assertStaffScope('provisioning:admin');
    const archive = await this.db.getRepository(Archive).createQueryBuilder('a').setLock('pessimistic_write').where('a.id = :id', { id }).getOne();
    if (!archive) throw new NotFound();
    if (archive.status !== 'ready' || archive.expiresAt.getTime() <= Date.now()) throw new Conflict('archive_not_restorable', { status: archive.status });
    await this.state.lockOrganization(archive.organizationId);
    const resourceId = newId();
    if (archive.kind === 'mailbox') {
      const details = JSON.parse(this.secrets.open(archive.detailsSealed)) as MailboxDetails;
      const [taken] = await this.db.query(`SELECT 1 FROM mailboxes WHERE address = $1 UNION ALL SELECT 1 FROM mail_aliases WHERE address = $1`, [archive.name]);
      if (taken) throw new Conflict('address_taken', { address: archive.name });
      await this.state.insert(
        'mailbox',
        Mailbox,
        { id: resourceId, organizationId: archive.organizationId, serverId: archive.serverId, domainId: details.domainId, localPart: details.localPart, address: archive.name, passwordHash: details.passwordHash, quotaMb: details.quotaMb, forwards: details.forwards ?? [], restoreArchiveId: archive.id },
        'mail',
        (mailbox) => ({ address: mailbox.address, restoredFrom: archive.id }),
      );
    } else {
      const engine = archive.service as Engine;
      if (await this.db.getRepository(Database).findOneBy({ engine, name: archive.name })) throw new Conflict('database_name_taken', { name: archive.name });
      await this.state.insert(
        'database',
        Database,
        { id: resourceId, organizationId: archive.organizationId, serverId: archive.serverId, engine, name: archive.name, restoreArchiveId: archive.id },
        engine as Service,
        (database) => ({ engine: database.engine, name: database.name, restoredFrom: archive.id }),
      );
    }
    await this.db.getRepository(Archive).update({ id }, { status: 'restoring', restoredAs: resourceId });
    await this.audit.record({ action: 'archive.restore', targetType: 'archive', targetId: id, organizationId: archive.organizationId, after: { resourceId } });
    return { archive: toArchiveDto(await this.db.getRepository(Archive).findOneByOrFail({ id })), resourceType: archive.kind, resourceId };
  }

  /**
   * A database moving to another server arrives there as a dump, recorded before desired state
   * names the new server: its driver fills the database from it before it goes ready, as from
   * any archive, and the file is then kept until its retention date like the others.
   * Idempotent per database (a move that runs again replaces the record).
   */
  async arriving(input: { databaseId: string; serverId: string; path: string; sizeBytes: number }): Promise<void> {
    const row = await this.db.getRepository(Database).findOneByOrFail({ id: input.databaseId });
    await this.db.query(`DELETE FROM archives WHERE resource_id = $1 AND restored_as = $1 AND status = 'restoring'`, [row.id]);
    await this.db.getRepository(Archive).insert({
      id: newId(),
      organizationId: row.organizationId,
      serverId: input.serverId,
      service: row.engine,
      kind: 'database',
      name: row.name,
      resourceId: row.id,
      path: input.path,
      sizeBytes: String(input.sizeBytes),
      detailsSealed: this.secrets.seal('{}'),
      status: 'restoring',
      expiresAt: new Date(Date.now() + this.settings.archiveRetentionDays * 86_400_000),
      restoredAs: row.id,
    });
  }

  /** What a driver restores into a resource it is making, if it was made from an archive not restored yet. */
  async restoreFor(resourceIds: string[]): Promise<Map<string, RestoreFrom>> {
    if (resourceIds.length === 0) return new Map();
    const rows = await this.db.query<{ restored_as: string; id: string; path: string }>(
      `SELECT restored_as, id, path FROM archives WHERE status = 'restoring' AND restored_as = ANY($1::uuid[])`,
      [resourceIds],
    );
    return new Map(rows.map((row) => [row.restored_as, { archiveId: row.id, path: row.path }]));
  }

  /** The driver filled the resource from its archive. */
  async restored(archiveId: string): Promise<void> {
    await this.db.query(`UPDATE archives SET status = 'restored' WHERE id = $1 AND status = 'restoring'`, [archiveId]);
  }

  /** Archives whose time is up, oldest first, for the daily purge. */
  async expired(limit = 500): Promise<ExpiredArchive[]> {
    return this.db.query<ExpiredArchive>(
      `SELECT id, server_id AS "serverId", path FROM archives WHERE status IN ('ready', 'restored') AND expires_at <= now() ORDER BY expires_at LIMIT $1`,
      [limit],
    );
  }

  async purged(archiveId: string): Promise<void> {
    await this.db.query(`UPDATE archives SET status = 'purged' WHERE id = $1`, [archiveId]);
  }
}

function mailboxDetails(mailbox: Mailbox): MailboxDetails {
  return { domainId: mailbox.domainId, localPart: mailbox.localPart, passwordHash: mailbox.passwordHash, quotaMb: mailbox.quotaMb, forwards: mailbox.forwards };
}
