import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { bigintNumber } from '../shared/bigint.transformer.js';
import { Account } from '../accounts/account.entity.js';
import { JournalEntry } from './journal-entry.entity.js';

/** A debit or a credit of one account, in cents; `partyId` names the customer for receivables. */
@Entity('journal_lines')
@Index('journal_lines_account_idx', ['accountId'])
@Index('journal_lines_party_idx', ['partyId'], { where: `"party_id" IS NOT NULL` })
@Check('journal_lines_amount_check', `("debit_cents" > 0 AND "credit_cents" = 0) OR ("debit_cents" = 0 AND "credit_cents" > 0)`)
export class JournalLine {
  @PrimaryColumn({ type: 'uuid' })
  entryId!: string;

  @PrimaryColumn({ type: 'integer' })
  position!: number;

  @ManyToOne(() => JournalEntry, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'entry_id', foreignKeyConstraintName: 'journal_lines_entry_fk' })
  entry?: Relation<JournalEntry>;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'journal_lines_account_fk' })
  account?: Relation<Account>;

  @Column({ type: 'bigint', transformer: bigintNumber })
  debitCents!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  creditCents!: number;

  @Column({ type: 'uuid', nullable: true })
  partyId!: string | null;

  @Column({ type: 'text', nullable: true })
  memo!: string | null;
}
