import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config, type Locale } from '../config/config.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { hashPassword, randomToken, sha256 } from '../crypto/secrets.js';
import { SecretBox } from '../crypto/secret-box.js';
import { currentActor } from '../context/request-context.js';
import { Conflict, DomainError, NotFound } from '../errors/domain-error.js';
import { I18nService } from '../i18n/i18n.service.js';
import { MailService } from '../mail/mail.service.js';
import { AuditService } from '../audit/audit.service.js';
import { assertOrganizationAccess, assertStaffScope, requireActor } from '../auth/access.js';
import type { OrganizationRole } from '../auth/actor.js';
import { AuthService, type ClientInfo, type SessionGrant } from '../auth/auth.service.js';
import { mapPage, paginate, type Page, type PageQuery } from '../http/pagination.js';
import { Organization } from '../organizations/organization.entity.js';
import { Membership } from '../organizations/membership.entity.js';
import { Invitation } from './invitation.entity.js';
import { User } from './user.entity.js';
import type { InvitationDto, InvitationPreview, StaffInvitationDto } from './invitation.schemas.js';

export function toInvitationDto(invitation: Invitation): InvitationDto {
  const expired = invitation.status === 'pending' && invitation.expiresAt.getTime() <= Date.now();
  return {
    id: invitation.id,
    organizationId: invitation.organizationId,
    email: invitation.email,
    role: invitation.role,
    status: expired ? 'expired' : invitation.status,
    expiresAt: invitation.expiresAt.toISOString(),
    answeredAt: invitation.answeredAt?.toISOString() ?? null,
    createdAt: invitation.createdAt.toISOString(),
  };
}

/**
 * Invitations: the only way a person joins an organisation or gets a password for an account
 * staff opened. The token goes to the invited address only (a queued mail); the answer to the
 * inviter is the same whether or not the address has an account, and nobody is attached to
 * anything until the holder of the mailbox accepts.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly mail: MailService,
    private readonly i18n: I18nService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /**
   * Invites `email` to an organisation (or, without one, to activate an account staff opened).
   * A pending invitation to the same organisation is replaced: its link stops working.
   */
  async invite(input: { email: string; organizationId: string | null; role: OrganizationRole | null; locale: Locale }): Promise<Invitation> {
    const email = input.email.toLowerCase();
    let organizationName: string | null = null;
    if (input.organizationId) {
      const [member] = await this.db.query(
        `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 AND u.email = $2`,
        [input.organizationId, email],
      );
      // The inviter sees the member list anyway: saying so reveals nothing new.
      if (member) throw new Conflict('membership_exists');
      await this.db.query(
        `UPDATE invitations SET status = 'revoked', answered_at = now(), token_sealed = NULL
          WHERE organization_id = $1 AND email = $2 AND status = 'pending'`,
        [input.organizationId, email],
      );
      organizationName = (await this.db.getRepository(Organization).findOneByOrFail({ id: input.organizationId })).name;
    }
    const token = randomToken();
    const invitation = this.db.getRepository(Invitation).create({
      id: newId(),
      email,
      organizationId: input.organizationId,
      role: input.organizationId ? input.role : null,
      tokenHash: sha256(token),
      tokenSealed: this.secrets.seal(token),
      status: 'pending',
      expiresAt: new Date(Date.now() + this.config.invitationTtlDays * 86_400_000),
      answeredAt: null,
      userId: null,
      createdBy: currentActor()?.userId ?? null,
    });
    await this.db.getRepository(Invitation).insert(invitation);
    await this.audit.record({
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: invitation.id,
      organizationId: input.organizationId,
      after: { email, role: invitation.role },
    });
    const params = { coop: 'Ruche', organization: organizationName ?? '', link: this.link(token), expires: invitation.expiresAt.toISOString().slice(0, 10) };
    const kind = organizationName === null ? 'account' : 'organization';
    await this.mail.send({
      to: email,
      subject: this.i18n.t(`mail.invitation.${kind}.subject`, params, input.locale),
      text: this.i18n.t(`mail.invitation.${kind}.body`, params, input.locale),
    });
    return invitation;
  }

  private link(token: string): string {
    return `${this.config.publicUrl}/invitation#${token}`;
  }

  /** What the holder of a link is invited to, so the panel shows the right form. */
  async preview(token: string): Promise<InvitationPreview> {
    const invitation = await this.pending(token, false);
    const organization = invitation.organizationId ? await this.db.getRepository(Organization).findOneBy({ id: invitation.organizationId }) : null;
    const user = await this.db.getRepository(User).findOneBy({ email: invitation.email });
    return {
      email: invitation.email,
      organization: organization ? { id: organization.id, name: organization.name } : null,
      role: invitation.role,
      expiresAt: invitation.expiresAt.toISOString(),
      // Told to the holder of the mailbox only: sign in to accept, or choose a password.
      accountExists: user?.passwordHash != null,
    };
  }

  /**
   * Accepts with a new password, for an address without a usable account: the account is
   * created (or, opened by staff, gets its password) and signed in. An account that already
   * has a password is never changed through a link: its owner signs in and accepts.
   */
  async acceptWithPassword(token: string, password: string, client: ClientInfo): Promise<SessionGrant> {
    const invitation = await this.pending(token, true);
    const users = this.db.getRepository(User);
    let user = await users.findOneBy({ email: invitation.email });
    if (user?.disabledAt) throw new DomainError('invitation_invalid', 404);
    if (user?.passwordHash) throw new Conflict('sign_in_to_accept');
    const passwordHash = await hashPassword(password);
    if (user) {
      await users.update({ id: user.id }, { passwordHash });
    } else {
      const locale = invitation.organizationId
        ? ((await this.db.getRepository(Organization).findOneBy({ id: invitation.organizationId }))?.locale ?? this.config.defaultLocale)
        : this.config.defaultLocale;
      const id = newId();
      await users.insert({ id, email: invitation.email, displayName: invitation.email.split('@')[0]!, locale, passwordHash, staffRoles: [] });
      await this.audit.record({ action: 'user.create', targetType: 'user', targetId: id, actor: { userId: id, email: invitation.email }, after: { email: invitation.email, via: 'invitation' } });
    }
    user = await users.findOneByOrFail({ email: invitation.email });
    await this.complete(invitation, user);
    return this.auth.openSession(user, client);
  }

  /** Accepts as the signed-in person, whose address must be the one invited (else 404, as for any link). */
  async acceptAsSignedIn(token: string): Promise<{ organizationId: string | null; role: OrganizationRole | null }> {
    const actor = requireActor();
    const invitation = await this.pending(token, true);
    if (invitation.email !== actor.email) throw new DomainError('invitation_invalid', 404);
    const user = await this.db.getRepository(User).findOneByOrFail({ id: actor.userId });
    await this.complete(invitation, user);
    return { organizationId: invitation.organizationId, role: invitation.role };
  }

  async decline(token: string): Promise<void> {
    const invitation = await this.pending(token, true);
    await this.db.getRepository(Invitation).update({ id: invitation.id }, { status: 'declined', answeredAt: new Date(), tokenSealed: null });
    await this.audit.record({
      action: 'invitation.decline',
      targetType: 'invitation',
      targetId: invitation.id,
      organizationId: invitation.organizationId,
      before: { email: invitation.email, role: invitation.role },
    });
  }

  private async complete(invitation: Invitation, user: User): Promise<void> {
    if (invitation.organizationId) {
      await this.db
        .getRepository(Membership)
        .createQueryBuilder()
        .insert()
        .values({ id: newId(), organizationId: invitation.organizationId, userId: user.id, role: invitation.role! })
        .orIgnore()
        .execute();
    }
    await this.db.getRepository(Invitation).update({ id: invitation.id }, { status: 'accepted', answeredAt: new Date(), tokenSealed: null, userId: user.id });
    await this.audit.record({
      action: 'invitation.accept',
      targetType: 'invitation',
      targetId: invitation.id,
      organizationId: invitation.organizationId,
      actor: { userId: user.id, email: user.email },
      after: { email: invitation.email, role: invitation.role },
    });
  }

  /** A pending, unexpired invitation by its token (row-locked when it is about to be answered). */
  private async pending(token: string, lock: boolean): Promise<Invitation> {
    const query = this.db
      .getRepository(Invitation)
      .createQueryBuilder('i')
      .where(`i.tokenHash = :hash AND i.status = 'pending' AND i.expiresAt > now()`, { hash: sha256(token) });
    if (lock) query.setLock('pessimistic_write');
    const invitation = await query.getOne();
    if (!invitation) throw new DomainError('invitation_invalid', 404);
    return invitation;
  }

  /** The invitations of an organisation, for those who manage it (no links: those went by mail). */
  async listForOrganization(organizationId: string, page: PageQuery): Promise<Page<InvitationDto>> {
    assertOrganizationAccess('organizations:admin', organizationId);
    const qb = this.db.getRepository(Invitation).createQueryBuilder('i').where('i.organizationId = :organizationId', { organizationId });
    return mapPage(await paginate(qb, page, 'DESC'), toInvitationDto);
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    assertOrganizationAccess('organizations:admin', organizationId);
    const invitation = await this.db.getRepository(Invitation).findOneBy({ id, organizationId });
    if (!invitation) throw new NotFound();
    if (invitation.status !== 'pending') return;
    await this.db.getRepository(Invitation).update({ id }, { status: 'revoked', answeredAt: new Date(), tokenSealed: null });
    await this.audit.record({ action: 'invitation.revoke', targetType: 'invitation', targetId: id, organizationId, before: { email: invitation.email, role: invitation.role } });
  }

  /** Staff support: every invitation, with the link of a pending one (read from its sealed copy). */
  async staffList(query: PageQuery & { email?: string | undefined; status?: string | undefined }): Promise<Page<StaffInvitationDto>> {
    assertStaffScope('users:admin');
    const qb = this.db.getRepository(Invitation).createQueryBuilder('i');
    if (query.email) qb.andWhere('i.email = :email', { email: query.email.toLowerCase() });
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    return mapPage(await paginate(qb, query, 'DESC'), (invitation) => ({
      ...toInvitationDto(invitation),
      link: invitation.tokenSealed && invitation.expiresAt.getTime() > Date.now() ? this.link(this.secrets.open(invitation.tokenSealed)) : null,
    }));
  }
}
