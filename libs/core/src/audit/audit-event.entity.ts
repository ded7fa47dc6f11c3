import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who changed what, when and from where. Rows are never updated (a trigger refuses it). */
@Entity('audit_events')
@Index('audit_events_target_idx', ['targetType', 'targetId'])
@Index('audit_events_organization_idx', ['organizationId', 'id'])
@Index('audit_events_actor_idx', ['actorUserId', 'id'])
@Check('audit_events_actor_type_check', `"actor_type" IN ('user', 'token', 'system')`)
export class AuditEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'text' })
  actorType!: 'user' | 'token' | 'system';

  @Column({ type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  /** The actor's e-mail address at the time, kept even if the account goes. */
  @Column({ type: 'text', nullable: true })
  actorLabel!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  targetType!: string;

  @Column({ type: 'text', nullable: true })
  targetId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before!: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: object | null;
}
