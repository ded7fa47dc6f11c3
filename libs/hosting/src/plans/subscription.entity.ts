import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { Plan } from './plan.entity.js';

/** An organisation's plan over a span of days; the open one (no end) is current. */
@Entity('subscriptions')
@Index('subscriptions_current_key', ['organizationId'], { unique: true, where: '"ends_on" IS NULL' })
@Index('subscriptions_organization_idx', ['organizationId', 'startsOn'])
@Check('subscriptions_span_check', `"ends_on" IS NULL OR "ends_on" > "starts_on"`)
export class Subscription {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @Column({ type: 'uuid' })
  planId!: string;

  @ManyToOne(() => Plan, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Relation<Plan>;

  @Column({ type: 'date' })
  startsOn!: string;

  /** Exclusive. */
  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
