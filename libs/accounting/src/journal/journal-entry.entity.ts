import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';

/**
 * One balanced posting. Append-only (a trigger refuses UPDATE and DELETE); its lines balance,
 * checked by a deferred constraint trigger at commit; its date's month must be open.
 */
@Entity('journal_entries')
@Index('journal_entries_number_key', ['number'], { unique: true })
@Index('journal_entries_source_key', ['sourceType', 'sourceId'], { unique: true, where: `"source_type" <> 'manual'` })
@Index('journal_entries_date_idx', ['entryDate'])
@Index('journal_entries_reverses_key', ['reversesId'], { unique: true, where: `"reverses_id" IS NOT NULL` })
@Check('journal_entries_description_check', `length("description") BETWEEN 1 AND 500`)
@Check('journal_entries_source_check', `"source_type" ~ '^[a-z_]{1,40}$' AND length("source_id") BETWEEN 1 AND 200`)
export class JournalEntry {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Order of posting, for people reading the journal (a sequence: a rolled-back posting may skip one). */
  @Column({ type: 'bigint', generated: 'increment' })
  number!: string;

  @Column({ type: 'date' })
  entryDate!: string;

  @Column({ type: 'text' })
  description!: string;

  /** What caused it: `invoice`, `credit_note`, `payment`, `allocation`, `manual`, `reversal`… */
  @Column({ type: 'text' })
  sourceType!: string;

  @Column({ type: 'text' })
  sourceId!: string;

  @Column({ type: 'uuid', nullable: true })
  reversesId!: string | null;

  @ManyToOne(() => JournalEntry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reverses_id', foreignKeyConstraintName: 'journal_entries_reverses_fk' })
  reverses?: Relation<JournalEntry>;

  /** SHA-256 of the entry and its lines as posted: the consistency check recomputes it. */
  @Column({ type: 'text' })
  contentHash!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
