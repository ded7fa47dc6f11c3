import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { bigintNumber } from '@ruche/accounting';
import { Worker } from '../workers/worker.entity.js';

export const CONTRACT_KINDS = ['fixed_price', 'hourly', 'capped', 'internal'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];

/**
 * Work for a client organisation (fixed price, hourly at the contract's rate, or hourly up to
 * a cap of hours) or an internal project (no client). Hourly rates are rows of `hourly_rates`.
 */
@Entity('contracts')
@Index('contracts_organization_idx', ['organizationId'])
@Check('contracts_kind_check', `"kind" IN ('fixed_price', 'hourly', 'capped', 'internal')`)
@Check('contracts_client_check', `("kind" = 'internal') = ("organization_id" IS NULL)`)
@Check('contracts_fixed_price_check', `("kind" = 'fixed_price') = ("fixed_price_cents" IS NOT NULL) AND ("fixed_price_cents" IS NULL OR "fixed_price_cents" > 0)`)
@Check('contracts_cap_check', `("kind" = 'capped') = ("cap_hours" IS NOT NULL) AND ("cap_hours" IS NULL OR "cap_hours" > 0)`)
@Check('contracts_budget_check', `"budget_hours" IS NULL OR "budget_hours" > 0`)
@Check('contracts_share_check', `"coop_share_percent" BETWEEN 0 AND 100`)
@Check('contracts_status_check', `"status" IN ('open', 'closed')`)
@Check('contracts_dates_check', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
export class Contract {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: ContractKind;

  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'contracts_organization_fk' })
  organization?: Relation<Organization>;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  fixedPriceCents!: number | null;

  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  capHours!: string | null;

  /** An estimate to compare the actual hours with (hourly contracts and projects). */
  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  budgetHours!: string | null;

  /** The member freelancer who brought the contract: the co-op keeps its share, the rest is theirs. */
  @Column({ type: 'uuid', nullable: true })
  broughtById!: string | null;

  @ManyToOne(() => Worker, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'brought_by_id', foreignKeyConstraintName: 'contracts_brought_by_fk' })
  broughtBy?: Relation<Worker>;

  @Column({ type: 'numeric', precision: 5, scale: 2, default: 30 })
  coopSharePercent!: string;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'text', default: 'open' })
  status!: 'open' | 'closed';

  /** When coordinators were told the capped contract reached 80 % of its hours (once). */
  @Column({ type: 'timestamptz', nullable: true })
  capWarnedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A task within a contract: billable hours are grouped per task on the invoice. */
@Entity('contract_tasks')
@Index('contract_tasks_name_key', ['contractId', 'name'], { unique: true })
export class ContractTask {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  contractId!: string;

  @ManyToOne(() => Contract, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'contract_tasks_contract_fk' })
  contract?: Relation<Contract>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
