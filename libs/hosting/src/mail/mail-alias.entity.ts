import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { Domain } from '../domains/domain.entity.js';

/** An alias or forward: one address delivered to others, local or not. `*@domain` is a catch-all. */
@Entity('mail_aliases')
@Index('mail_aliases_address_key', ['address'], { unique: true })
@Index('mail_aliases_organization_idx', ['organizationId', 'id'])
@Index('mail_aliases_server_idx', ['serverId'])
@Check('mail_aliases_phase_check', PHASE_CHECK)
@Check('mail_aliases_destinations_check', `cardinality("destinations") BETWEEN 1 AND 50`)
export class MailAlias extends HostedResource {
  @Column({ type: 'uuid' })
  domainId!: string;

  @ManyToOne(() => Domain, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'domain_id' })
  domain?: Relation<Domain>;

  @Column({ type: 'text' })
  localPart!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text', array: true })
  destinations!: string[];
}
