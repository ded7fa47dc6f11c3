import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { Server } from '../servers/server.entity.js';

export const ARCHIVE_KINDS = ['mailbox', 'database'] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];
export const ARCHIVE_STATUSES = ['ready', 'restoring', 'restored', 'purged'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

/**
 * What a deleted mailbox or database left: its maildir compressed, or its dump, in a file on the
 * server that held it, kept until `expiresAt` (then purged). Staff restore one by making the
 * resource again from it.
 */
@Entity('archives')
@Index('archives_organization_idx', ['organizationId', 'id'])
@Index('archives_expires_idx', ['status', 'expiresAt'])
@Check('archives_kind_check', `"kind" IN ('mailbox', 'database')`)
@Check('archives_status_check', `"status" IN ('ready', 'restoring', 'restored', 'purged')`)
@Check('archives_size_check', `"size_bytes" >= 0`)
export class Archive {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'archives_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'uuid' })
  serverId!: string;

  // A server is removed only once it holds no archive but purged ones (ServersService.remove).
  @ManyToOne(() => Server, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'server_id', foreignKeyConstraintName: 'archives_server_fk' })
  server?: Relation<Server>;

  /** The service that made it: `mail`, `mariadb` or `postgresql`. */
  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  kind!: ArchiveKind;

  /** The mailbox's address or the database's name. */
  @Column({ type: 'text' })
  name!: string;

  /** The deleted resource it was made from. */
  @Column({ type: 'uuid' })
  resourceId!: string;

  /** The archive's file on the server. */
  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'bigint', default: 0 })
  sizeBytes!: string;

  /** What making the resource again needs (a mailbox's quota and password hash), sealed with the instance key. */
  @Column({ type: 'text' })
  detailsSealed!: string;

  @Column({ type: 'text', default: 'ready' })
  status!: ArchiveStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** The resource made again from it, once restored. */
  @Column({ type: 'uuid', nullable: true })
  restoredAs!: string | null;
}
