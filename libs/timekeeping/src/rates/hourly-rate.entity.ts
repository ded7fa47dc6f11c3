import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contract } from '../contracts/contract.entity.js';

/**
 * An hourly rate in force from a day until the next row's: the co-op's single rate (no
 * contract; it pays every worker) or a contract's rate to its client. Rows are never changed:
 * a new rate is a new row.
 */
@Entity('hourly_rates')
@Index('hourly_rates_coop_key', ['effectiveFrom'], { unique: true, where: `"contract_id" IS NULL` })
@Index('hourly_rates_contract_key', ['contractId', 'effectiveFrom'], { unique: true, where: `"contract_id" IS NOT NULL` })
@Check('hourly_rates_rate_check', `"hourly_rate" > 0`)
export class HourlyRate {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  contractId!: string | null;

  @ManyToOne(() => Contract, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'hourly_rates_contract_fk' })
  contract?: Relation<Contract>;

  @Column({ type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'numeric', precision: 10, scale: 2 })
  hourlyRate!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
