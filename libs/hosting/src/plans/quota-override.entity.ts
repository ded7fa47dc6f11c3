import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import type { Meter } from './meters.js';

/** A limit staff set for one organisation, replacing its plan's for that meter. */
@Entity('quota_overrides')
@Check('quota_overrides_limit_check', `"limit" >= 0`)
@Check('quota_overrides_meter_check', `"meter" IN ('domains', 'sites', 'mailboxes', 'mail_storage_mb', 'databases', 'database_storage_mb', 'web_storage_mb')`)
export class QuotaOverride {
  @PrimaryColumn({ type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ type: 'text' })
  meter!: Meter;

  @Column({ type: 'integer' })
  limit!: number;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;
}
