import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const THROTTLE_KINDS = ['password_failure', 'reset_request'] as const;
export type ThrottleKind = (typeof THROTTLE_KINDS)[number];

/**
 * One event that guessing or flooding would repeat: a wrong password (at sign-in or where the
 * current password is asked again) or a password-reset request. Counted per account and per
 * source address, over a window, to throttle.
 */
@Entity('auth_throttle_events')
@Index('auth_throttle_events_email_at_idx', ['kind', 'email', 'at'])
@Index('auth_throttle_events_ip_at_idx', ['kind', 'ip', 'at'])
@Check('auth_throttle_events_kind_check', `"kind" IN ('password_failure', 'reset_request')`)
export class ThrottleEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  kind!: ThrottleKind;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  ip!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
