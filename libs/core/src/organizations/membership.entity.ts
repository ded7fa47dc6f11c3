import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { OrganizationRole } from '../auth/actor.js';
import { User } from '../users/user.entity.js';
import { Organization } from './organization.entity.js';

@Entity('memberships')
@Index('memberships_organization_user_key', ['organizationId', 'userId'], { unique: true })
@Index('memberships_user_idx', ['userId'])
@Check('memberships_role_check', `"role" IN ('owner', 'member')`)
export class Membership {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'memberships_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'memberships_user_fk' })
  user?: Relation<User>;

  @Column({ type: 'text' })
  role!: OrganizationRole;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
