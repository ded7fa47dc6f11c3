import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { Contract, ContractTask } from '../contracts/contract.entity.js';

/**
 * Approved billable hours handed to billing as one line (a task's hours of a month at one
 * rate). Its id is the line's source id in billing (`sourceKind` `time`), so handing it over
 * again changes nothing. `invoicedAt` is set once billing says it is on an invoice: from then on
 * neither the line nor its entries change (PostgreSQL refuses).
 */
@Entity('time_billing_lines')
@Index('time_billing_lines_contract_idx', ['contractId'])
@Index('time_billing_lines_waiting_idx', ['id'], { where: `"invoiced_at" IS NULL` })
@Check('time_billing_lines_minutes_check', `"billed_minutes" > 0 AND "billed_minutes" <= "minutes"`)
@Check('time_billing_lines_invoice_check', `("invoiced_at" IS NULL) = ("invoice_id" IS NULL)`)
export class TimeBillingLine {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  contractId!: string;

  @ManyToOne(() => Contract, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'time_billing_lines_contract_fk' })
  contract?: Relation<Contract>;

  @Column({ type: 'uuid', nullable: true })
  taskId!: string | null;

  @ManyToOne(() => ContractTask, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'time_billing_lines_task_fk' })
  task?: Relation<ContractTask>;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'time_billing_lines_organization_fk' })
  organization?: Relation<Organization>;

  /** YYYY-MM of the work. */
  @Column({ type: 'text' })
  month!: string;

  /** Minutes of the entries on the line. */
  @Column({ type: 'integer' })
  minutes!: number;

  /** Minutes billed: fewer when a capped contract's cap ends inside the line. */
  @Column({ type: 'integer' })
  billedMinutes!: number;

  @Column({ type: 'numeric', precision: 10, scale: 2 })
  hourlyRate!: string;

  /** The last day of work on the line: billed by the first run whose period ends after it. */
  @Column({ type: 'date' })
  serviceDate!: string;

  /**
   * A line billing what a cap cut off an earlier line, once the cap was raised. It holds no
   * entries (they stay on the line it supplements).
   */
  @Column({ type: 'uuid', nullable: true })
  supplementsLineId!: string | null;

  @ManyToOne(() => TimeBillingLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'supplements_line_id', foreignKeyConstraintName: 'time_billing_lines_supplements_fk' })
  supplementsLine?: Relation<TimeBillingLine>;

  @Column({ type: 'timestamptz', nullable: true })
  invoicedAt!: Date | null;

  /** Billing's invoice (no foreign key: billing's tables are billing's). */
  @Column({ type: 'uuid', nullable: true })
  invoiceId!: string | null;

  @Column({ type: 'text', nullable: true })
  invoiceNumber!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
