import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const IMPORT_STEPS = ['resources', 'waiting', 'copying', 'finished'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

/**
 * One run of an import from an AlternC server: what was asked, where it stands, and what it
 * did. The items it carried are remembered per source (ImportItem), so a later run, or a run
 * after a crash, resumes instead of starting again.
 */
@Entity('moving_imports')
@Index('moving_imports_created_idx', ['createdAt', 'id'])
@Check('moving_imports_status_check', `"status" IN ('queued', 'running', 'done', 'failed')`)
@Check('moving_imports_step_check', `"step" IN ('resources', 'waiting', 'copying', 'finished')`)
@Check('moving_imports_counts_check', `"items_total" >= 0 AND "items_done" >= 0 AND "items_failed" >= 0`)
export class Import {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The AlternC server, registered in Ruche (paused: nothing is placed on it). */
  @Column({ type: 'uuid' })
  sourceServerId!: string;

  /** The panel database's URL, sealed with the instance key (it holds a password). */
  @Column({ type: 'text' })
  databaseUrlSealed!: string;

  /** Where the receiving servers reach the AlternC server over SSH. */
  @Column({ type: 'text' })
  peerHost!: string;

  @Column({ type: 'integer' })
  peerPort!: number;

  /** Only these AlternC logins (all when empty). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  accounts!: string[];

  @Column({ type: 'text', default: 'queued' })
  status!: ImportStatus;

  @Column({ type: 'text', default: 'resources' })
  step!: ImportStep;

  @Column({ type: 'integer', default: 0 })
  itemsTotal!: number;

  @Column({ type: 'integer', default: 0 })
  itemsDone!: number;

  @Column({ type: 'integer', default: 0 })
  itemsFailed!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  /** The last pass: the AlternC accounts are locked on the AlternC server before their data is copied. */
  @Column({ type: 'boolean', default: false })
  final!: boolean;

  /** When the last pass locked the accounts: from then until it finished, the clients were cut over. */
  @Column({ type: 'timestamptz', nullable: true })
  lockedAt!: Date | null;

  /** Who asked: the job acts on their behalf (audit). */
  @Column({ type: 'uuid' })
  requestedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
