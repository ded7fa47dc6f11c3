import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** An account of the chart, named in both languages. Its code is what other libs post to. */
@Entity('accounts')
@Index('accounts_code_key', ['code'], { unique: true })
@Check('accounts_type_check', `"type" IN ('asset', 'liability', 'equity', 'revenue', 'expense')`)
@Check('accounts_code_check', `"code" ~ '^[0-9]{4,6}$'`)
@Check('accounts_names_check', `length("name_fr") BETWEEN 1 AND 120 AND length("name_en") BETWEEN 1 AND 120`)
export class Account {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  nameFr!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  @Column({ type: 'text' })
  type!: AccountType;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
