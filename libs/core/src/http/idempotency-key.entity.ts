import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The first answer to a create sent with an Idempotency-Key, replayed for repeats. */
@Entity('idempotency_keys')
@Index('idempotency_keys_principal_key_key', ['principal', 'key'], { unique: true })
@Index('idempotency_keys_created_at_idx', ['createdAt'])
export class IdempotencyKey {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** `user:<id>` or `token:<id>`: keys are per caller. */
  @Column({ type: 'text' })
  principal!: string;

  @Column({ type: 'text' })
  key!: string;

  /** SHA-256 of method, route and body: the same key with another request is refused. */
  @Column({ type: 'text' })
  requestHash!: string;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** The answer, encrypted with the instance key (it may hold a secret shown once). */
  @Column({ type: 'text', nullable: true })
  responseSealed!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
