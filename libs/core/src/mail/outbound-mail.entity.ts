import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An attachment named by what renders it and what it renders (`billing:invoice-pdf`, an invoice id). */
export interface MailAttachmentReference {
  renderer: string;
  reference: string;
}

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

  /** Files rendered again at delivery by the renderer a lib registered (`MailService.registerAttachmentRenderer`). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments!: MailAttachmentReference[];

  @Column({ type: 'text', default: 'queued' })
  status!: 'queued' | 'sent' | 'skipped' | 'failed';

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
