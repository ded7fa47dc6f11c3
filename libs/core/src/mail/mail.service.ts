import { Inject, Injectable } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { CONFIG, type Config } from '../config/config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { QueueService } from '../queue/queue.service.js';
import { JobHandler } from '../queue/job-handler.decorator.js';
import { LOGGER, type Logger } from '../observability/logger.js';
import { OutboundMail, type MailAttachmentReference } from './outbound-mail.entity.js';
import { defineJob, type JobPayload } from '../queue/job.js';
import { z } from 'zod';

/** Delivers queued mail: one message, or a batch queued together (a retry sends those not sent yet). */
export const SEND_MAIL_JOB = defineJob(
  'core:send-mail',
  z.union([z.strictObject({ mailId: z.uuid() }), z.strictObject({ mailIds: z.array(z.uuid()).min(1).max(100_000) })]),
);

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Rendered at delivery, from immutable sources (a posted invoice), so nothing large waits in the queue. */
  attachments?: MailAttachmentReference[];
}

export interface RenderedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export type AttachmentRenderer = (reference: string) => Promise<RenderedAttachment>;

/**
 * Outgoing mail: written with the change that causes it, delivered by the queue (retried on
 * failure). Without RUCHE_SMTP_URL, messages are recorded as skipped and nothing is sent.
 */
@Injectable()
export class MailService {
  private transport: Transporter | null = null;
  private readonly renderers = new Map<string, AttachmentRenderer>();

  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A lib that attaches files to its mail says how to render them (`billing:invoice-pdf`). */
  registerAttachmentRenderer(name: string, renderer: AttachmentRenderer): void {
    this.renderers.set(name, renderer);
  }

  async send(message: MailMessage): Promise<string> {
    const [id] = await this.sendMany([message]);
    return id!;
  }

  /**
   * Queues several messages in two round trips, delivered by one job (a billing run posting
   * thousands of invoices): a retry sends only those not sent yet.
   */
  async sendMany(messages: MailMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const ids = messages.map(() => newId());
    await this.db.query(
      `INSERT INTO outbound_mail (id, recipient, subject, body_encrypted, attachments, status)
       SELECT id, recipient, subject, body, attachments::jsonb, 'queued' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS m(id, recipient, subject, body, attachments)`,
      [
        ids,
        messages.map((message) => message.to),
        messages.map((message) => message.subject),
        messages.map((message) => this.secrets.seal(message.text)),
        messages.map((message) => JSON.stringify(message.attachments ?? [])),
      ],
    );
    await this.queue.enqueue(SEND_MAIL_JOB, ids.length === 1 ? { mailId: ids[0]! } : { mailIds: ids }, { maxAttempts: 10 });
    return ids;
  }

  @JobHandler(SEND_MAIL_JOB)
  async deliver(payload: JobPayload<typeof SEND_MAIL_JOB>): Promise<void> {
    const failures: Error[] = [];
    for (const mailId of 'mailIds' in payload ? payload.mailIds : [payload.mailId]) {
      // One message failing leaves the others to go; the job is retried for the ones still queued.
      await this.deliverOne(mailId).catch((error: Error) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  private async deliverOne(mailId: string): Promise<void> {
    const repository = this.db.getRepository(OutboundMail);
    const mail = await repository.findOneBy({ id: mailId });
    if (!mail || mail.status !== 'queued') return;
    if (!this.config.smtpUrl) {
      this.logger.info({ mailId: mail.id }, 'mail not sent: RUCHE_SMTP_URL is not set');
      await repository.update({ id: mail.id }, { status: 'skipped', lastError: 'RUCHE_SMTP_URL is not set' });
      return;
    }
    this.transport ??= nodemailer.createTransport(this.config.smtpUrl);
    try {
      await this.transport.sendMail(await this.compose(mail));
      await repository.update({ id: mail.id }, { status: 'sent', sentAt: new Date(), lastError: null });
    } catch (error) {
      await repository.update({ id: mail.id }, { lastError: (error as Error).message });
      throw error;
    }
  }

  /** The message as it leaves: sender, recipient, opened body and rendered attachments. */
  async compose(mail: OutboundMail) {
    const attachments = await Promise.all(
      mail.attachments.map((attachment) => {
        const render = this.renderers.get(attachment.renderer);
        if (!render) throw new Error(`no renderer for mail attachments of kind ${attachment.renderer}`);
        return render(attachment.reference);
      }),
    );
    return { from: this.config.mailFrom, to: mail.recipient, subject: mail.subject, text: this.secrets.open(mail.bodyEncrypted), attachments };
  }
}
