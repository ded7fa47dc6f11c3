import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from '@ruche/accounting';

/** A line of an imported bank statement, with the open invoice Ruche proposes it pays, until an accountant confirms or ignores it. */
@Entity('bank_statement_lines')
@Index('bank_statement_lines_import_idx', ['importId'])
@Index('bank_statement_lines_status_idx', ['status', 'id'])
@Check('bank_statement_lines_status_check', `"status" IN ('unmatched', 'proposed', 'confirmed', 'ignored')`)
@Check('bank_statement_lines_match_check', `"match_reason" IS NULL OR "match_reason" IN ('number', 'amount')`)
export class BankStatementLine {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  importId!: string;

  @Column({ type: 'date' })
  lineDate!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amountCents!: number;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text', default: 'unmatched' })
  status!: 'unmatched' | 'proposed' | 'confirmed' | 'ignored';

  @Column({ type: 'uuid', nullable: true })
  proposedInvoiceId!: string | null;

  @Column({ type: 'text', nullable: true })
  matchReason!: 'number' | 'amount' | null;

  @Column({ type: 'uuid', nullable: true })
  paymentId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
