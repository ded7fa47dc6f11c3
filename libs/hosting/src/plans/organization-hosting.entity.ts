import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';

/** Hosting facts about an organisation: the prefix of its database names and users. */
@Entity('organization_hosting')
@Index('organization_hosting_prefix_key', ['prefix'], { unique: true })
export class OrganizationHosting {
  @PrimaryColumn({ type: 'uuid' })
  organizationId!: string;

  @OneToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @Column({ type: 'text' })
  prefix!: string;
}
