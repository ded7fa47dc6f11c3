import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One failed sign-in, counted per account and per address to throttle guessing. */
@Entity('login_failures')
@Index('login_failures_email_at_idx', ['email', 'at'])
@Index('login_failures_ip_at_idx', ['ip', 'at'])
export class LoginFailure {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  ip!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
