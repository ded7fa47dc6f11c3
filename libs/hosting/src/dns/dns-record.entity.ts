import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Domain } from '../domains/domain.entity.js';
import type { RecordType } from './record-rules.js';

/** One record of a domain's zone. Its provisioning state is its zone's (the domain's). */
@Entity('dns_records')
@Index('dns_records_domain_name_idx', ['domainId', 'name'])
@Index('dns_records_organization_idx', ['organizationId', 'id'])
@Check('dns_records_type_check', `"type" IN ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS')`)
@Check('dns_records_ttl_check', `"ttl" BETWEEN 60 AND 604800`)
@Check('dns_records_priority_check', `("type" IN ('MX', 'SRV')) = ("priority" IS NOT NULL)`)
export class DnsRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  domainId!: string;

  @ManyToOne(() => Domain, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'domain_id' })
  domain?: Relation<Domain>;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  type!: RecordType;

  /** `@` or relative to the zone. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'integer' })
  ttl!: number;

  @Column({ type: 'integer', nullable: true })
  priority!: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
