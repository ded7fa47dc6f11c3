import { Check, Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const ITEM_STATUSES = ['done', 'failed', 'skipped'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/**
 * What became of one thing on an AlternC server (`domain:example.org`, `mailbox:info@…`):
 * the Ruche resource made from it, or why it was not. Unique per source server, so every
 * import from that server sees what earlier ones carried and never makes it twice.
 */
@Entity('moving_import_items')
@Index('moving_import_items_source_key', ['sourceServerId', 'key'], { unique: true })
@Index('moving_import_items_import_idx', ['importId'])
@Check('moving_import_items_status_check', `"status" IN ('done', 'failed', 'skipped')`)
export class ImportItem {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  sourceServerId!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  kind!: string;

  /** The AlternC login it belongs to. */
  @Column({ type: 'text' })
  account!: string;

  /** The last import that touched it. */
  @Column({ type: 'uuid' })
  importId!: string;

  @Column({ type: 'text' })
  status!: ItemStatus;

  /** The Ruche resource (or organisation) made from it. */
  @Column({ type: 'uuid', nullable: true })
  targetId!: string | null;

  /** Why it failed or was left, a stable code. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The import that made it (later ones found it done). */
  @Column({ type: 'uuid', nullable: true })
  carriedBy!: string | null;

  /** Carried with a change worth knowing (`renamed`, `hand_made`…). */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** The data copy's last pass, when the item has data (files, mail, rows). */
  @Column({ type: 'timestamptz', nullable: true })
  copiedAt!: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
