import { Inject, Injectable } from '@nestjs/common';
import * as OTPAuth from 'otpauth';
import { CONFIG, type Config, type Locale } from '../config/config.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { SecretBox } from '../crypto/secret-box.js';
import { decoyPasswordHash, hashPassword, passwordNeedsRehash, randomToken, safeEqual, sha256, verifyPassword } from '../crypto/secrets.js';
import { Forbidden, Unauthenticated, DomainError } from '../errors/domain-error.js';
import { AuditService } from '../audit/audit.service.js';
import { I18nService } from '../i18n/i18n.service.js';
import { MailService } from '../mail/mail.service.js';
import { User } from '../users/user.entity.js';
import { Session } from './session.entity.js';
import { PasswordReset } from './password-reset.entity.js';
import { AuthThrottle } from './auth-throttle.service.js';
import { grantsFor, restrictGrants, type Actor, type OrganizationRole, type Scope, type StaffRole } from './actor.js';

export const SESSION_COOKIE = 'ruche_session';
export const TOKEN_PREFIX = 'rch_';

export interface LoginInput {
  email: string;
  password: string;
  otp?: string | undefined;
  recoveryCode?: string | undefined;
}

export interface SessionGrant {
  cookieValue: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

/** What authentication needs of a person, read with their memberships in the same query. */
interface SubjectRow {
  user_id: string;
  email: string;
  locale: Locale;
  staff_roles: StaffRole[];
  has_totp: boolean;
  memberships: Array<{ organizationId: string; role: OrganizationRole }>;
}

const SUBJECT_COLUMNS = `u.id AS user_id, u.email, u.locale, u.staff_roles, u.totp_secret IS NOT NULL AS has_totp,
  coalesce((SELECT json_agg(json_build_object('organizationId', m.organization_id, 'role', m.role)) FROM memberships m WHERE m.user_id = u.id), '[]') AS memberships`;

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** What ending an account's credentials did (after a password change or reset). */
export interface CredentialsEnded {
  sessionsEnded: number;
  revokedTokens: number;
}

/** Sign-in, sessions, bearer tokens and two-factor authentication. */
@Injectable()
export class AuthService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
    private readonly throttle: AuthThrottle,
    private readonly mail: MailService,
    private readonly i18n: I18nService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async login(input: LoginInput, client: ClientInfo): Promise<SessionGrant> {
    const email = input.email.trim().toLowerCase();
    await this.throttle.assertAllowed('password_failure', email, client.ip, this.throttle.passwordLimits);
    const user = await this.db.getRepository(User).findOneBy({ email });
    const passwordOk = user?.passwordHash
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyPassword(await decoyPasswordHash(), input.password).then(() => false);
    if (!user || !passwordOk || user.disabledAt) {
      await this.recordFailure(email, client.ip, user);
      throw new Unauthenticated('invalid_credentials');
    }
    if (user.totpSecret) {
      if (!input.otp && !input.recoveryCode) throw new Unauthenticated('two_factor_required');
      const ok = input.otp ? await this.acceptTotp(user, input.otp) : await this.useRecoveryCode(user, input.recoveryCode!);
      if (!ok) {
        await this.recordFailure(email, client.ip, user);
        throw new Unauthenticated('invalid_two_factor_code');
      }
    }
    await this.throttle.clear('password_failure', email);
    // A hash carried over from another panel (md5-crypt, bcrypt…) becomes argon2id now that the password is known.
    const rehashed = user.passwordHash && passwordNeedsRehash(user.passwordHash) ? await hashPassword(input.password) : null;
    return this.db.withTransaction(async () => {
      if (rehashed) await this.db.getRepository(User).update({ id: user.id }, { passwordHash: rehashed });
      const grant = await this.openSession(user, client);
      await this.audit.record({
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        actor: { userId: user.id, email: user.email },
      });
      return grant;
    });
  }

  async openSession(user: User, client: ClientInfo): Promise<SessionGrant> {
    const cookieValue = randomToken();
    const csrfToken = randomToken();
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3_600_000);
    await this.db.getRepository(Session).insert({
      id: newId(),
      tokenHash: sha256(cookieValue),
      userId: user.id,
      csrfToken,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
      expiresAt,
    });
    return { cookieValue, csrfToken, expiresAt, user };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.getRepository(Session).delete({ id: sessionId });
  }

  /** Resolves a session cookie to its actor, with the CSRF token the session expects. One query. */
  async authenticateSession(cookieValue: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const [row] = await this.db.query<SubjectRow & { session_id: string; csrf_token: string }>(
      `SELECT s.id AS session_id, s.csrf_token, ${SUBJECT_COLUMNS}
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [sha256(cookieValue)],
    );
    if (!row) return null;
    return { actor: this.actorFrom(row, 'session', { sessionId: row.session_id }), csrfToken: row.csrf_token };
  }

  /** Resolves a bearer token to its actor. One query. */
  async authenticateToken(bearer: string): Promise<Actor | null> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return null;
    const [row] = await this.db.query<SubjectRow & { token_id: string; scopes: Scope[]; token_organization_id: string | null; last_used_at: Date | null }>(
      `SELECT t.id AS token_id, t.scopes, t.organization_id AS token_organization_id, t.last_used_at, ${SUBJECT_COLUMNS}
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL`,
      [sha256(bearer)],
    );
    if (!row) return null;
    // At most one write a minute per token: "last used" is for people, not for accounting.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      void this.db.dataSource.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, [row.token_id]).catch(() => undefined);
    }
    return this.actorFrom(row, 'token', { token: { id: row.token_id, scopes: row.scopes, organizationId: row.token_organization_id } });
  }

  private actorFrom(
    row: SubjectRow,
    kind: 'session' | 'token',
    via: { sessionId?: string; token?: { id: string; scopes: Scope[]; organizationId: string | null } },
  ): Actor {
    const held = grantsFor({ staffRoles: row.staff_roles, memberships: row.memberships });
    const grants = via.token ? restrictGrants(held, via.token.scopes, via.token.organizationId) : held;
    return {
      kind,
      userId: row.user_id,
      email: row.email,
      locale: row.locale,
      staffRoles: row.staff_roles,
      grants,
      sessionId: via.sessionId ?? null,
      tokenId: via.token?.id ?? null,
      tokenOrganizationId: via.token?.organizationId ?? null,
      mustEnrollTwoFactor: this.config.requireStaff2fa && row.staff_roles.length > 0 && !row.has_totp,
    };
  }

  /**
   * Checks the current password again before a sensitive change, throttled like sign-in (a
   * stolen session must not become a password oracle). Wrong: 403, and it counts. Called
   * outside a transaction, so the failure it records survives the error.
   */
  async confirmPassword(user: User, password: string, client: ClientInfo): Promise<void> {
    await this.throttle.assertAllowed('password_failure', user.email, client.ip, this.throttle.passwordLimits);
    if (user.passwordHash && (await verifyPassword(user.passwordHash, password))) return;
    await this.recordFailure(user.email, client.ip, user);
    throw new Forbidden('password_incorrect');
  }

  /**
   * A new password chosen by the signed-in person: the other sessions end, and by default so
   * do the account's API tokens (they were made under the old password).
   */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string; revokeApiTokens: boolean },
    keepSessionId: string | null,
    client: ClientInfo,
  ): Promise<CredentialsEnded> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: userId });
    await this.confirmPassword(user, input.currentPassword, client);
    const passwordHash = await hashPassword(input.newPassword);
    return this.db.withTransaction(async () => {
      await this.db.getRepository(User).update({ id: userId }, { passwordHash });
      const ended = await this.endCredentials(userId, { keepSessionId, revokeApiTokens: input.revokeApiTokens });
      await this.audit.record({ action: 'user.password_change', targetType: 'user', targetId: userId, after: { ...ended } });
      return ended;
    });
  }

  /** Ends every session of an account (but `keepSessionId`) and, when asked, revokes its API tokens. */
  async endCredentials(userId: string, options: { keepSessionId?: string | null; revokeApiTokens: boolean }): Promise<CredentialsEnded> {
    const sessions = await this.db.query<{ id: string }>(
      `DELETE FROM sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid) RETURNING id`,
      [userId, options.keepSessionId ?? null],
    );
    const tokens = options.revokeApiTokens
      ? await this.db.query<{ id: string }>(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId])
      : [];
    return { sessionsEnded: sessions.length, revokedTokens: tokens.length };
  }

  // --- password reset by e-mail --------------------------------------------------------

  /**
   * Mails a single-use link to the account's address, if there is an enabled account there.
   * The caller learns nothing either way: same answer, same work (a row and a queued mail
   * cost the same as the throttle record written for an unknown address).
   */
  async requestPasswordReset(rawEmail: string, client: ClientInfo): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    await this.throttle.assertAllowed('reset_request', email, client.ip, this.throttle.resetLimits);
    await this.throttle.record('reset_request', email, client.ip);
    const user = await this.db.getRepository(User).findOneBy({ email });
    if (!user || user.disabledAt) return;
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.config.passwordResetTtlMinutes * 60_000);
    // One link at a time: asking again makes the earlier ones useless.
    await this.db.query(`UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
    await this.db.getRepository(PasswordReset).insert({ id: newId(), userId: user.id, tokenHash: sha256(token), expiresAt, ip: client.ip });
    const params = { link: `${this.config.publicUrl}/reset-password#${token}`, minutes: this.config.passwordResetTtlMinutes, ip: client.ip };
    await this.mail.send({
      to: user.email,
      subject: this.i18n.t('mail.password_reset.subject', params, user.locale),
      text: this.i18n.t('mail.password_reset.body', params, user.locale),
    });
    await this.audit.record({ action: 'user.password_reset_request', targetType: 'user', targetId: user.id, actor: { userId: user.id, email: user.email } });
  }

  /** Redeems a reset link once: the new password, every session ended and, by default, every API token revoked. */
  async resetPassword(token: string, newPassword: string, revokeApiTokens: boolean): Promise<CredentialsEnded> {
    const [reset] = await this.db.query<{ id: string; user_id: string }>(
      `UPDATE password_resets r SET used_at = now()
         FROM users u
        WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.id = r.user_id AND u.disabled_at IS NULL
        RETURNING r.id, r.user_id`,
      [sha256(token)],
    );
    if (!reset) throw new DomainError('password_reset_invalid', 404);
    const user = await this.db.getRepository(User).findOneByOrFail({ id: reset.user_id });
    await this.db.getRepository(User).update({ id: user.id }, { passwordHash: await hashPassword(newPassword) });
    await this.db.query(`UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
    const ended = await this.endCredentials(user.id, { revokeApiTokens });
    await this.throttle.clear('password_failure', user.email);
    await this.audit.record({ action: 'user.password_reset', targetType: 'user', targetId: user.id, actor: { userId: user.id, email: user.email }, after: { ...ended } });
    return ended;
  }

  // --- two-factor authentication -------------------------------------------------------

  async beginTwoFactor(userId: string): Promise<{ secret: string; otpauthUri: string }> {
    const users = this.db.getRepository(User);
    const user = await users.findOneByOrFail({ id: userId });
    if (user.totpSecret) throw new DomainError('two_factor_already_enabled', 409);
    const secret = new OTPAuth.Secret({ size: 20 });
    await users.update({ id: userId }, { totpPendingSecret: this.secrets.seal(secret.base32) });
    return { secret: secret.base32, otpauthUri: this.totp(user.email, secret.base32).toString() };
  }

  async confirmTwoFactor(userId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    const users = this.db.getRepository(User);
    const user = await users.findOneByOrFail({ id: userId });
    if (user.totpSecret) throw new DomainError('two_factor_already_enabled', 409);
    if (!user.totpPendingSecret) throw new DomainError('two_factor_not_started', 409);
    const secret = this.secrets.open(user.totpPendingSecret);
    const step = this.validTotpStep(user.email, secret, code);
    if (step === null) throw new DomainError('invalid_two_factor_code', 422);
    const recoveryCodes = Array.from({ length: 10 }, () => randomToken(10).replace(/[-_]/g, 'x').slice(0, 12));
    await users.update(
      { id: userId },
      {
        totpSecret: user.totpPendingSecret,
        totpPendingSecret: null,
        totpLastStep: String(step),
        recoveryCodeHashes: recoveryCodes.map(sha256),
      },
    );
    await this.audit.record({ action: 'user.two_factor_enable', targetType: 'user', targetId: userId });
    return { recoveryCodes };
  }

  async disableTwoFactor(userId: string, password: string, code: string, client: ClientInfo): Promise<void> {
    const users = this.db.getRepository(User);
    const user = await users.findOneByOrFail({ id: userId });
    if (!user.totpSecret) throw new DomainError('two_factor_not_enabled', 409);
    if (this.config.requireStaff2fa && user.staffRoles.length > 0) throw new Forbidden();
    await this.confirmPassword(user, password, client);
    if (!(await this.acceptTotp(user, code))) throw new DomainError('invalid_two_factor_code', 422);
    await this.db.withTransaction(async () => {
      await users.update({ id: userId }, { totpSecret: null, totpLastStep: null, recoveryCodeHashes: [] });
      await this.audit.record({ action: 'user.two_factor_disable', targetType: 'user', targetId: userId });
    });
  }

  private totp(email: string, base32: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: 'Ruche',
      label: email,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: OTPAuth.Secret.fromBase32(base32),
    });
  }

  private validTotpStep(email: string, base32: string, code: string): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const delta = this.totp(email, base32).validate({ token: code, window: 1 });
    return delta === null ? null : Math.floor(Date.now() / 30_000) + delta;
  }

  /** Accepts a TOTP code once: a code already used (or older) is refused. */
  private async acceptTotp(user: User, code: string): Promise<boolean> {
    const step = this.validTotpStep(user.email, this.secrets.open(user.totpSecret!), code);
    if (step === null) return false;
    const result = await this.db
      .getRepository(User)
      .createQueryBuilder()
      .update()
      .set({ totpLastStep: String(step) })
      .where('id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)', { id: user.id, step })
      .execute();
    return result.affected === 1;
  }

  private async useRecoveryCode(user: User, code: string): Promise<boolean> {
    const hashed = sha256(code.trim());
    if (!user.recoveryCodeHashes.some((candidate) => safeEqual(candidate, hashed))) return false;
    const result = await this.db
      .getRepository(User)
      .createQueryBuilder()
      .update()
      .set({ recoveryCodeHashes: () => 'array_remove(recovery_code_hashes, :hashed)' })
      .where('id = :id AND :hashed = ANY(recovery_code_hashes)', { id: user.id, hashed })
      .execute();
    return result.affected === 1;
  }

  // --- failures ---------------------------------------------------------------------

  /** A wrong password: counted for throttling and audited (callers run outside a transaction, so both stay). */
  private async recordFailure(email: string, ip: string, user: User | null): Promise<void> {
    await this.throttle.record('password_failure', email, ip);
    await this.audit.record({ action: 'auth.login_failed', targetType: 'user', targetId: user?.id ?? null, after: { email } });
  }
}
