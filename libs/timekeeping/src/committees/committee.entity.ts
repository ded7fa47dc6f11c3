import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A committee of the co-op: the permanent ones (seeded) and ad hoc ones. Meetings are time entries naming it. */
@Entity('committees')
@Index('committees_code_key', ['code'], { unique: true })
@Check('committees_code_check', `"code" ~ '^[a-z][a-z0-9_-]{1,39}$'`)
@Check('committees_kind_check', `"kind" IN ('permanent', 'ad_hoc')`)
export class Committee {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  nameFr!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  @Column({ type: 'text' })
  kind!: 'permanent' | 'ad_hoc';

  /** An ad hoc committee that finished its work: kept for the history, not offered for new meetings. */
  @Column({ type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
