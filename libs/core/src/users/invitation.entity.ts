import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { OrganizationRole } from '../auth/actor.js';
import { Organization } from '../organizations/organization.entity.js';
import { User } from './user.entity.js';

export const INVITATION_STATUSES = ['pending', 'accepted', 'declined', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * An offer, sent to an e-mail address only, to join an organisation (or, with no
 * organisation, to activate an account staff opened). Nobody is attached to anything until
 * the holder of the mailbox accepts it; only the token's hash is kept, and a sealed copy for
 * staff support while it is pending.
 */
@Entity('invitations')
@Index('invitations_token_hash_key', ['tokenHash'], { unique: true })
@Index('invitations_email_idx', ['email'])
@Index('invitations_organization_idx', ['organizationId'])
@Index('invitations_pending_key', ['organizationId', 'email'], { unique: true, where: `"status" = 'pending' AND "organization_id" IS NOT NULL` })
@Check('invitations_email_lowercase_check', `"email" = lower("email")`)
@Check('invitations_status_check', `"status" IN ('pending', 'accepted', 'declined', 'revoked')`)
@Check('invitations_role_check', `("organization_id" IS NULL AND "role" IS NULL) OR ("organization_id" IS NOT NULL AND "role" IN ('owner', 'member'))`)
@Check('invitations_answered_check', `("status" = 'pending') = ("answered_at" IS NULL)`)
export class Invitation {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  /** Null for an account invitation (staff opened the account; the person chooses a password). */
  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'invitations_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'text', nullable: true })
  role!: OrganizationRole | null;

  @Column({ type: 'text' })
  tokenHash!: string;

  /** The token sealed with the instance key, so staff can read the link for support; cleared once answered. */
  @Column({ type: 'text', nullable: true })
  tokenSealed!: string | null;

  @Column({ type: 'text', default: 'pending' })
  status!: InvitationStatus;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  /** The account that accepted it. */
  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'invitations_user_fk' })
  user?: Relation<User>;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
