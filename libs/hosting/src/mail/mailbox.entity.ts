import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { bigintNumber } from '../desired-state/bigint.transformer.js';
import { Domain } from '../domains/domain.entity.js';

/** A mailbox (IMAP account) on the organisation's mail server. */
@Entity('mailboxes')
@Index('mailboxes_address_key', ['address'], { unique: true })
@Index('mailboxes_organization_idx', ['organizationId', 'id'])
@Index('mailboxes_server_idx', ['serverId'])
@Check('mailboxes_phase_check', PHASE_CHECK)
@Check('mailboxes_quota_check', `"quota_mb" BETWEEN 1 AND 1048576`)
@Check('mailboxes_forwards_check', `cardinality("forwards") <= 50`)
export class Mailbox extends HostedResource {
  @Column({ type: 'uuid' })
  domainId!: string;

  @ManyToOne(() => Domain, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'domain_id' })
  domain?: Relation<Domain>;

  @Column({ type: 'text' })
  localPart!: string;

  @Column({ type: 'text' })
  address!: string;

  /** In a scheme Dovecot reads ({ARGON2ID}…); the password itself is never stored. */
  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'integer' })
  quotaMb!: number;

  /** Where a copy of each message also goes (the mailbox keeps its own): none by default. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  forwards!: string[];

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  usedBytes!: number;

  /** The archive it is being made again from (its driver restores the data, then clears this). */
  @Column({ type: 'uuid', nullable: true })
  restoreArchiveId!: string | null;
}
