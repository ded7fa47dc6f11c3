import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const MOVE_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type MoveStatus = (typeof MOVE_STATUSES)[number];
/** Data first, then desired state, then what changed meanwhile, then the old copy archived. */
export const MOVE_STEPS = ['copying', 'switching', 'waiting', 'final_copy', 'archiving', 'finished'] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];

/** An organisation's resources of one service moving to another server (alone, or as part of a drain). */
@Entity('moving_moves')
@Index('moving_moves_drain_idx', ['drainId'])
@Check('moving_moves_status_check', `"status" IN ('queued', 'running', 'done', 'failed')`)
@Check('moving_moves_step_check', `"step" IN ('copying', 'switching', 'waiting', 'final_copy', 'archiving', 'finished')`)
export class Move {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'uuid' })
  toServerId!: string;

  /** Where the resources were when the move started (set once, so a resumed move knows what to archive). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  fromServerIds!: string[];

  /** Where the new server reaches the old one over SSH, when not its public IPv4 on port 22. */
  @Column({ type: 'text', nullable: true })
  peerHost!: string | null;

  @Column({ type: 'integer', default: 22 })
  peerPort!: number;

  @Column({ type: 'uuid', nullable: true })
  drainId!: string | null;

  @Column({ type: 'text', default: 'queued' })
  status!: MoveStatus;

  @Column({ type: 'text', default: 'copying' })
  step!: MoveStep;

  @Column({ type: 'integer', default: 0 })
  resources!: number;

  /** When desired state named the new server: the old servers have let go once they reconciled after it. */
  @Column({ type: 'timestamptz', nullable: true })
  switchedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'uuid' })
  requestedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

/** A server emptied onto others: one move per organisation and service it holds. */
@Entity('moving_drains')
export class Drain {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  serverId!: string;

  /** Organisation and service pairs it could not move, with why. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  notMoved!: Array<{ organizationId: string; service: string; reason: string }>;

  @Column({ type: 'uuid' })
  requestedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
