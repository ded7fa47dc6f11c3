import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A hosting package: its bilingual name and what it includes, per meter. Prices are in PlanPrice. */
@Entity('plans')
@Index('plans_code_key', ['code'], { unique: true })
@Index('plans_single_default_key', ['isDefault'], { unique: true, where: '"is_default"' })
@Check('plans_quotas_check', `"domains" >= 0 AND "sites" >= 0 AND "mailboxes" >= 0 AND "mail_storage_mb" >= 0 AND "databases" >= 0 AND "database_storage_mb" >= 0 AND "web_storage_mb" >= 0`)
export class Plan {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  nameFr!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  /** Organisations created without a plan get this one. */
  @Column({ type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'integer' })
  domains!: number;

  @Column({ type: 'integer' })
  sites!: number;

  @Column({ type: 'integer' })
  mailboxes!: number;

  @Column({ type: 'integer' })
  mailStorageMb!: number;

  @Column({ type: 'integer' })
  databases!: number;

  @Column({ type: 'integer' })
  databaseStorageMb!: number;

  @Column({ type: 'integer' })
  webStorageMb!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
