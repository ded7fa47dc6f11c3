import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Locale } from '../config/config.js';
import type { StaffRole } from '../auth/actor.js';

@Entity('users')
@Index('users_email_key', ['email'], { unique: true })
@Check('users_locale_check', `"locale" IN ('fr', 'en')`)
@Check('users_staff_roles_check', `"staff_roles" <@ ARRAY['sysadmin', 'accountant', 'worker', 'coordinator']::text[]`)
@Check('users_email_lowercase_check', `"email" = lower("email")`)
export class User {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  displayName!: string;

  @Column({ type: 'text' })
  locale!: Locale;

  /** argon2id; null until the person accepts their invitation. */
  @Column({ type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  staffRoles!: StaffRole[];

  /** TOTP secret, encrypted with the instance key; set once enrolment is confirmed. */
  @Column({ type: 'text', nullable: true })
  totpSecret!: string | null;

  /** A secret offered during enrolment, not yet confirmed by a code. */
  @Column({ type: 'text', nullable: true })
  totpPendingSecret!: string | null;

  /** The last TOTP time step accepted, so a code cannot be replayed. */
  @Column({ type: 'bigint', nullable: true })
  totpLastStep!: string | null;

  /** SHA-256 of each unused recovery code. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  recoveryCodeHashes!: string[];

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
