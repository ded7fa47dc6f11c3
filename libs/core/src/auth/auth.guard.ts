import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { CONFIG, type Config } from '../config/config.js';
import { Forbidden, NotFound, Unauthenticated } from '../errors/domain-error.js';
import { safeEqual } from '../crypto/secrets.js';
import { AUTH_METADATA, type AuthRequirement } from '../http/decorators.js';
import { AuthService, SESSION_COOKIE } from './auth.service.js';
import type { Actor } from './actor.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const csrfTokens = new WeakMap<FastifyRequest, string>();

/** The CSRF token of the session that authenticated this request, if any. */
export function csrfTokenOf(request: FastifyRequest): string | undefined {
  return csrfTokens.get(request);
}

/**
 * Authentication and the route-level half of authorisation, for every route. A route
 * without `@Public()` or `@Authorize()` is refused: access is denied unless declared.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly publicOrigin: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(CONFIG) config: Config,
  ) {
    this.publicOrigin = new URL(config.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // A browser says where a write comes from: a page of another site may not sign anyone in,
    // accept an invitation or use a session (defence beside SameSite cookies and the CSRF token).
    if (!SAFE_METHODS.has(request.method) && request.headers.authorization === undefined) this.assertSameOrigin(request);
    if (requirement?.public) return true;
    const actor = await this.authenticate(request);
    if (!requirement) throw new Forbidden();
    if (!actor) throw new Unauthenticated();
    const store = RequestContext.current();
    if (store) store.actor = actor;
    if (actor.mustEnrollTwoFactor && !requirement.allowPendingTwoFactor) throw new Forbidden('two_factor_enrollment_required');
    if (requirement.sessionOnly && actor.kind !== 'session') throw new Forbidden('session_required');
    if (requirement.scope && !actor.grants.has(requirement.scope)) {
      if (requirement.conceal && !actor.grants.has(requirement.conceal)) throw new NotFound();
      throw new Forbidden('missing_scope', { scope: requirement.scope });
    }
    return true;
  }

  /** The Origin header, when a browser sends one, is Ruche's public address or the address this request came to. */
  private assertSameOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origin === this.publicOrigin || origin === `${request.protocol}://${request.host}`) return;
    throw new Forbidden('origin_not_allowed', { origin: origin.slice(0, 200) });
  }

  private async authenticate(request: FastifyRequest): Promise<Actor | null> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const actor = match ? await this.auth.authenticateToken(match[1]!) : null;
      // A bad token is an error even if a cookie is present: scripts must learn of it.
      if (!actor) throw new Unauthenticated();
      return actor;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!cookie) return null;
    const session = await this.auth.authenticateSession(cookie);
    if (!session) return null;
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !safeEqual(header, session.csrfToken)) throw new Forbidden('csrf_token_invalid');
    }
    csrfTokens.set(request, session.csrfToken);
    return session.actor;
  }
}
