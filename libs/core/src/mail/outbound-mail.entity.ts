import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A message Ruche sends; written with the change that causes it and delivered by a job. */
@Entity('outbound_mail')
@Check('outbound_mail_status_check', `"status" IN ('queued', 'sent', 'skipped', 'failed')`)
export class OutboundMail {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'text' })
  subject!: string;

  /** Encrypted with the instance key: bodies may carry one-time links. */
  @Column({ type: 'text' })
  bodyEncrypted!: string;

  @Column({ type: 'text', default: 'queued' })
  status!: 'queued' | 'sent' | 'skipped' | 'failed';

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
