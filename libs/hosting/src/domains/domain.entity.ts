import { Check, Column, Entity, Index } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { bigintNumber } from '../desired-state/bigint.transformer.js';

/** A client's domain and its zone, served by the DNS server it is placed on. */
@Entity('domains')
@Index('domains_name_key', ['name'], { unique: true })
@Index('domains_organization_idx', ['organizationId', 'id'])
@Index('domains_server_idx', ['serverId'])
// reverse(name) text_pattern_ops, for "every domain below this one" as a prefix search (hand-written migration).
@Index('domains_reverse_name_idx', { synchronize: false })
@Check('domains_phase_check', PHASE_CHECK)
@Check('domains_name_check', `"name" = lower("name") AND length("name") <= 253`)
export class Domain extends HostedResource {
  /** ASCII (punycode) form: what DNS, Postfix and nginx use. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  unicodeName!: string;

  @Column({ type: 'boolean', default: true })
  mailEnabled!: boolean;

  /** SOA serial, YYYYMMDDnn, raised on every change of the zone. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  serial!: number;
}
