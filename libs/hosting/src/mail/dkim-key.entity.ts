import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { Domain } from '../domains/domain.entity.js';

/**
 * A domain's DKIM key pair, made by Ruche when the domain gets its first address: the mail
 * server signs with the private key (sealed with the instance key here), and the domain's zone
 * publishes the public one at `<selector>._domainkey`.
 */
@Entity('dkim_keys')
@Index('dkim_keys_domain_key', ['domainId'], { unique: true })
@Check('dkim_keys_selector_check', `"selector" ~ '^[a-z0-9][a-z0-9-]{0,62}$'`)
export class DkimKey {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  domainId!: string;

  @ManyToOne(() => Domain, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'domain_id', foreignKeyConstraintName: 'dkim_keys_domain_fk' })
  domain?: Relation<Domain>;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'dkim_keys_organization_fk' })
  organization?: Relation<Organization>;

  /** The DNS label under `_domainkey`: `ruche<yyyymm>`, so a later key can sit beside it. */
  @Column({ type: 'text' })
  selector!: string;

  /** PKCS#8 PEM, sealed with SecretBox: never leaves Ruche except to the mail server. */
  @Column({ type: 'text' })
  privateKeySealed!: string;

  /** SubjectPublicKeyInfo (DER), base64: the `p=` of the DNS record. */
  @Column({ type: 'text' })
  publicKey!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
