import { Controller, Get, HttpCode, Inject, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CONFIG, type Config } from '../config/config.js';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, NoTransaction, Public, ValidBody } from '../http/decorators.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { Membership } from '../organizations/membership.entity.js';
import { UsersService, toUserDto } from '../users/users.service.js';
import { updateProfileSchema, userSchema } from '../users/user.schemas.js';
import { requireActor } from './access.js';
import { AuthService, SESSION_COOKIE, type SessionGrant } from './auth.service.js';
import {
  acceptInvitationSchema,
  changePasswordSchema,
  loginSchema,
  meSchema,
  sessionSchema,
  twoFactorConfirmSchema,
  twoFactorDisableSchema,
  twoFactorRecoveryCodesSchema,
  twoFactorSetupSchema,
} from './auth.schemas.js';
import { csrfTokenOf } from './auth.guard.js';

@Controller(apiPath('auth'))
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly db: TransactionalConnection,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @NoTransaction()
  @Doc({ summary: 'Sign in; sets the session cookie', tags: ['auth'], response: sessionSchema })
  async login(
    @ValidBody(loginSchema) body: z.infer<typeof loginSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const grant = await this.auth.login(body, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    return this.startSession(grant, reply);
  }

  @Post('accept-invitation')
  @HttpCode(200)
  @Public()
  @Doc({ summary: 'Choose a password with a one-time invitation token; signs in', tags: ['auth'], response: sessionSchema })
  async acceptInvitation(
    @ValidBody(acceptInvitationSchema) body: z.infer<typeof acceptInvitationSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const grant = await this.auth.acceptInvitation(body.token, body.password, {
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    return this.startSession(grant, reply);
  }

  @Post('logout')
  @HttpCode(204)
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Sign out of this session', tags: ['auth'] })
  async logout(@Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logout(requireActor().sessionId!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Authorize(undefined, { allowPendingTwoFactor: true })
  @Doc({ summary: 'The signed-in person, their memberships and CSRF token', tags: ['auth'], response: meSchema })
  async me(@Req() request: FastifyRequest) {
    const actor = requireActor();
    const user = await this.users.get(actor.userId);
    const memberships = await this.db
      .getRepository(Membership)
      .find({ where: { userId: actor.userId }, select: { organizationId: true, role: true }, order: { id: 'ASC' } });
    return {
      user: toUserDto(user),
      memberships: memberships.map((m) => ({ organizationId: m.organizationId, role: m.role })),
      csrfToken: actor.kind === 'session' ? (csrfTokenOf(request) ?? null) : null,
      twoFactorEnrollmentRequired: actor.mustEnrollTwoFactor,
    };
  }

  @Patch('me')
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Change your display name or language', tags: ['auth'], response: userSchema })
  async updateMe(@ValidBody(updateProfileSchema) body: z.infer<typeof updateProfileSchema>) {
    return toUserDto(await this.users.update(requireActor().userId, body));
  }

  @Post('password')
  @HttpCode(204)
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Change your password (closes your other sessions)', tags: ['auth'] })
  async changePassword(@ValidBody(changePasswordSchema) body: z.infer<typeof changePasswordSchema>): Promise<void> {
    const actor = requireActor();
    await this.auth.changePassword(actor.userId, body.currentPassword, body.newPassword, actor.sessionId);
  }

  @Post('2fa/setup')
  @HttpCode(200)
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Start two-factor enrolment: a secret and its otpauth:// URI (for a QR code)', tags: ['auth'], response: twoFactorSetupSchema })
  setupTwoFactor() {
    return this.auth.beginTwoFactor(requireActor().userId);
  }

  @Post('2fa/enable')
  @HttpCode(200)
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Confirm enrolment with a code; answers recovery codes, once', tags: ['auth'], response: twoFactorRecoveryCodesSchema })
  enableTwoFactor(@ValidBody(twoFactorConfirmSchema) body: z.infer<typeof twoFactorConfirmSchema>) {
    return this.auth.confirmTwoFactor(requireActor().userId, body.code);
  }

  @Post('2fa/disable')
  @HttpCode(204)
  @Authorize(undefined, { sessionOnly: true })
  @Doc({ summary: 'Turn two-factor authentication off (password and a current code)', tags: ['auth'] })
  async disableTwoFactor(@ValidBody(twoFactorDisableSchema) body: z.infer<typeof twoFactorDisableSchema>): Promise<void> {
    await this.auth.disableTwoFactor(requireActor().userId, body.password, body.code);
  }

  private startSession(grant: SessionGrant, reply: FastifyReply) {
    reply.setCookie(SESSION_COOKIE, grant.cookieValue, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.cookieSecure,
      path: '/',
      expires: grant.expiresAt,
    });
    return { user: toUserDto(grant.user), csrfToken: grant.csrfToken };
  }
}
