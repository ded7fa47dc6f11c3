import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from '../users/user.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import type { Scope } from './actor.js';

/** A bearer token for scripts. Shown once at creation; only its SHA-256 is stored. */
@Entity('api_tokens')
@Index('api_tokens_token_hash_key', ['tokenHash'], { unique: true })
@Index('api_tokens_user_idx', ['userId'])
export class ApiToken {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_tokens_user_fk' })
  user?: Relation<User>;

  @Column({ type: 'text' })
  name!: string;

  /** The first characters of the token, to recognise it in a list. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'text' })
  tokenHash!: string;

  @Column({ type: 'text', array: true })
  scopes!: Scope[];

  /** Null for a staff token (all organisations the owner may see). */
  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'api_tokens_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
