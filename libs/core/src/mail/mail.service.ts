import { Inject, Injectable } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { CONFIG, type Config } from '../config/config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { QueueService } from '../queue/queue.service.js';
import { JobHandler } from '../queue/job-handler.decorator.js';
import { LOGGER, type Logger } from '../observability/logger.js';
import { OutboundMail } from './outbound-mail.entity.js';
import { defineJob, type JobPayload } from '../queue/job.js';
import { z } from 'zod';

/** Delivers one queued mail. */
export const SEND_MAIL_JOB = defineJob('core:send-mail', z.strictObject({ mailId: z.uuid() }));

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing mail: written with the change that causes it, delivered by the queue (retried on
 * failure). Without RUCHE_SMTP_URL, messages are recorded as skipped and nothing is sent.
 */
@Injectable()
export class MailService {
  private transport: Transporter | null = null;

  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async send(message: MailMessage): Promise<string> {
    const id = newId();
    await this.db.getRepository(OutboundMail).insert({
      id,
      recipient: message.to,
      subject: message.subject,
      bodyEncrypted: this.secrets.seal(message.text),
      status: 'queued',
    });
    await this.queue.enqueue(SEND_MAIL_JOB, { mailId: id }, { maxAttempts: 10 });
    return id;
  }

  @JobHandler(SEND_MAIL_JOB)
  async deliver(payload: JobPayload<typeof SEND_MAIL_JOB>): Promise<void> {
    const repository = this.db.getRepository(OutboundMail);
    const mail = await repository.findOneBy({ id: payload.mailId });
    if (!mail || mail.status !== 'queued') return;
    if (!this.config.smtpUrl) {
      this.logger.info({ mailId: mail.id }, 'mail not sent: RUCHE_SMTP_URL is not set');
      await repository.update({ id: mail.id }, { status: 'skipped', lastError: 'RUCHE_SMTP_URL is not set' });
      return;
    }
    this.transport ??= nodemailer.createTransport(this.config.smtpUrl);
    try {
      await this.transport.sendMail({
        from: this.config.mailFrom,
        to: mail.recipient,
        subject: mail.subject,
        text: this.secrets.open(mail.bodyEncrypted),
      });
      await repository.update({ id: mail.id }, { status: 'sent', sentAt: new Date(), lastError: null });
    } catch (error) {
      await repository.update({ id: mail.id }, { lastError: (error as Error).message });
      throw error;
    }
  }
}
