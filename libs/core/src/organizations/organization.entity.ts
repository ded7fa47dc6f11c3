import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Locale } from '../config/config.js';

/** A client of the co-op: a community organisation with its owners and members. */
@Entity('organizations')
@Check('organizations_locale_check', `"locale" IN ('fr', 'en')`)
@Check('organizations_name_check', `length("name") BETWEEN 1 AND 200`)
export class Organization {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Language of invoices and e-mails sent to the organisation. */
  @Column({ type: 'text' })
  locale!: Locale;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
