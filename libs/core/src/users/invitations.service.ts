import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { currentActor } from '../context/request-context.js';
import { I18nService } from '../i18n/i18n.service.js';
import { MailService } from '../mail/mail.service.js';
import { Invitation } from './invitation.entity.js';
import type { User } from './user.entity.js';

const INVITATION_DAYS = 7;

/** One-time links that let a new person choose a password; the link is mailed and returned once. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly mail: MailService,
    private readonly i18n: I18nService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async invite(user: User, organizationId: string | null): Promise<string> {
    const token = randomToken();
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
    await this.db.getRepository(Invitation).insert({
      id: newId(),
      userId: user.id,
      organizationId,
      tokenHash: sha256(token),
      expiresAt,
      createdBy: currentActor()?.userId ?? null,
    });
    const link = `${this.config.publicUrl}/accept-invitation#${token}`;
    const params = { coop: 'Ruche', link, expires: expiresAt.toISOString().slice(0, 10) };
    await this.mail.send({
      to: user.email,
      subject: this.i18n.t('mail.invitation.subject', params, user.locale),
      text: this.i18n.t('mail.invitation.body', params, user.locale),
    });
    return token;
  }
}
