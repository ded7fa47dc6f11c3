import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Meter } from '../plans/meters.js';
import { bigintNumber } from '../desired-state/bigint.transformer.js';

/** An organisation's use of a meter on a day, as billing reads it. One row per day: re-runs change nothing. */
@Entity('usage_samples')
@Index('usage_samples_organization_meter_day_key', ['organizationId', 'meter', 'day'], { unique: true })
@Check('usage_samples_quantity_check', `"quantity" >= 0`)
export class UsageSample {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  meter!: Meter;

  @Column({ type: 'date' })
  day!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  quantity!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sampledAt!: Date;
}
