import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config } from '../config/config.js';
import { toUserDto } from '../users/users.service.js';
import { SESSION_COOKIE, type SessionGrant } from './auth.service.js';

/** Sets the session cookie of a new session and answers what the browser keeps (user, CSRF token). */
@Injectable()
export class SessionCookies {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  start(grant: SessionGrant, reply: FastifyReply) {
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
