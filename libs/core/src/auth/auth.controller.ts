import { Controller, Get, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { apiPath } from '../http/api-path.js';
import { Authorize, Doc, NoTransaction, Public, ValidBody } from '../http/decorators.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { Membership } from '../organizations/membership.entity.js';
import { UsersService, toUserDto } from '../users/users.service.js';
import { updateProfileSchema, userSchema } from '../users/user.schemas.js';
import { requireActor } from './access.js';
import { SCOPES } from './actor.js';
import { AuthService, SESSION_COOKIE, type ClientInfo } from './auth.service.js';
import { SessionCookies } from './session-cookies.js';
import {
  changePasswordSchema,
  credentialsEndedSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  passwordResetRequestedSchema,
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
    private readonly cookies: SessionCookies,
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
    const grant = await this.auth.login(body, clientOf(request));
    return this.cookies.start(grant, reply);
  }

  @Post('password-reset')
  @HttpCode(202)
  @Public()
  @Doc({ summary: 'Mail a single-use link to choose a new password (same answer whether or not the address has an account)', tags: ['auth'], response: passwordResetRequestedSchema, status: 202 })
  async requestPasswordReset(@ValidBody(passwordResetRequestSchema) body: z.infer<typeof passwordResetRequestSchema>, @Req() request: FastifyRequest) {
    await this.auth.requestPasswordReset(body.email, clientOf(request));
    return { status: 'requested' as const };
  }

  @Post('password-reset/confirm')
  @HttpCode(200)
  @Public()
  @Doc({ summary: 'Choose a new password with the mailed link: ends every session and, unless told not to, revokes every API token', tags: ['auth'], response: credentialsEndedSchema })
  resetPassword(@ValidBody(passwordResetConfirmSchema) body: z.infer<typeof passwordResetConfirmSchema>) {
    return this.auth.resetPassword(body.token, body.newPassword, body.revokeApiTokens);
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
  @Doc({ summary: 'The signed-in person, their memberships (only its own for a token limited to one organisation) and CSRF token', tags: ['auth'], response: meSchema })
  async me(@Req() request: FastifyRequest) {
    const actor = requireActor();
    const user = await this.users.get(actor.userId);
    const memberships = await this.db
      .getRepository(Membership)
      .find({ where: { userId: actor.userId }, select: { organizationId: true, role: true }, order: { id: 'ASC' } });
    const visible = actor.tokenOrganizationId ? memberships.filter((m) => m.organizationId === actor.tokenOrganizationId) : memberships;
    return {
      user: toUserDto(user),
      memberships: visible.map((m) => ({ organizationId: m.organizationId, role: m.role })),
      csrfToken: actor.kind === 'session' ? (csrfTokenOf(request) ?? null) : null,
      twoFactorEnrollmentRequired: actor.mustEnrollTwoFactor,
      scopes: SCOPES.filter((scope) => actor.grants.get(scope) === 'all'),
    };
  }

  @Patch('me')
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Change your display name or language', tags: ['auth'], response: userSchema })
  async updateMe(@ValidBody(updateProfileSchema) body: z.infer<typeof updateProfileSchema>) {
    return toUserDto(await this.users.update(requireActor().userId, body));
  }

  @Post('password')
  @HttpCode(200)
  @NoTransaction()
  @Authorize(undefined, { sessionOnly: true, allowPendingTwoFactor: true })
  @Doc({ summary: 'Change your password: closes your other sessions and, unless told not to, revokes your API tokens', tags: ['auth'], response: credentialsEndedSchema })
  changePassword(@ValidBody(changePasswordSchema) body: z.infer<typeof changePasswordSchema>, @Req() request: FastifyRequest) {
    const actor = requireActor();
    return this.auth.changePassword(actor.userId, body, actor.sessionId, clientOf(request));
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
  @NoTransaction()
  @Authorize(undefined, { sessionOnly: true })
  @Doc({ summary: 'Turn two-factor authentication off (password and a current code)', tags: ['auth'] })
  async disableTwoFactor(@ValidBody(twoFactorDisableSchema) body: z.infer<typeof twoFactorDisableSchema>, @Req() request: FastifyRequest): Promise<void> {
    await this.auth.disableTwoFactor(requireActor().userId, body.password, body.code, clientOf(request));
  }
}

function clientOf(request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}
