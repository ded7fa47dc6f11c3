import { Column, CreateDateColumn, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import { Server } from '../servers/server.entity.js';

export const PHASES = ['pending', 'applying', 'ready', 'failed', 'deleting'] as const;
export type Phase = (typeof PHASES)[number];

export const SERVICES = ['web', 'dns', 'mail', 'mariadb', 'postgresql'] as const;
export type Service = (typeof SERVICES)[number];

/** SQL for the phase check every resource table carries. */
export const PHASE_CHECK = `"phase" IN ('pending', 'applying', 'ready', 'failed', 'deleting')`;

/**
 * What every resource a server hosts carries: its desired generation and what the server was
 * last seen to have, its phase and last error, retry bookkeeping, and where it is placed.
 */
export abstract class HostedResource {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @Column({ type: 'uuid' })
  serverId!: string;

  @ManyToOne(() => Server, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'server_id' })
  server?: Relation<Server>;

  /** Bumped on every change the server must apply. */
  @Column({ type: 'integer', default: 1 })
  generation!: number;

  /** The generation the server was last seen to have applied. */
  @Column({ type: 'integer', default: 0 })
  observedGeneration!: number;

  @Column({ type: 'text', default: 'pending' })
  phase!: Phase;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
