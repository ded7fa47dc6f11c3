import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Plan } from './plan.entity.js';

/** A plan's monthly price from a date on: the price in force is the latest one not after the day. */
@Entity('plan_prices')
@Index('plan_prices_plan_effective_key', ['planId', 'effectiveFrom'], { unique: true })
@Check('plan_prices_amount_check', `"monthly_price_cents" >= 0`)
export class PlanPrice {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  planId!: string;

  @ManyToOne(() => Plan, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Relation<Plan>;

  @Column({ type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'integer' })
  monthlyPriceCents!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
