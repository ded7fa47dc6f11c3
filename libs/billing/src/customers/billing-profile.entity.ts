import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';

/** How an organisation is billed: where its invoices go, and its tax exemption with the reason and number on record. */
@Entity('billing_profiles')
@Check('billing_profiles_exemption_check', `NOT "tax_exempt" OR ("exemption_reason" IS NOT NULL AND "exemption_number" IS NOT NULL)`)
export class BillingProfile {
  @PrimaryColumn({ type: 'uuid' })
  organizationId!: string;

  @OneToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'billing_profiles_organization_fk' })
  organization?: Relation<Organization>;

  /** The billing contact; without one, invoices go to the organisation's first owner. */
  @Column({ type: 'text', nullable: true })
  billingEmail!: string | null;

  @Column({ type: 'boolean', default: false })
  taxExempt!: boolean;

  @Column({ type: 'text', nullable: true })
  exemptionReason!: string | null;

  @Column({ type: 'text', nullable: true })
  exemptionNumber!: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
