import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { DomainError, Forbidden, NotFound } from '../errors/domain-error.js';
import { AuditService } from '../audit/audit.service.js';
import { mapPage, paginate, type Page, type PageQuery } from '../http/pagination.js';
import { requireActor } from './access.js';
import { covers, type Scope } from './actor.js';
import { ApiToken } from './api-token.entity.js';
import { TOKEN_PREFIX } from './auth.service.js';
import type { TokenDto } from './token.schemas.js';

function toTokenDto(token: ApiToken): TokenDto {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    organizationId: token.organizationId,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

/** API tokens belong to the person who made them and never hold more than that person. */
@Injectable()
export class TokensService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async create(input: { name: string; scopes: Scope[]; organizationId?: string | undefined; expiresAt?: string | undefined }): Promise<TokenDto & { token: string }> {
    const actor = requireActor();
    const organizationId = input.organizationId?.toLowerCase() ?? null;
    const scopes = [...new Set(input.scopes)];
    // An organisation the caller holds nothing in is one they may not see.
    if (organizationId && ![...actor.grants.values()].some((coverage) => covers(coverage, organizationId))) throw new NotFound();
    for (const scope of scopes) {
      const coverage = actor.grants.get(scope);
      const allowed = organizationId ? covers(coverage, organizationId) : coverage === 'all';
      if (!allowed) {
        if (!organizationId && coverage) throw new DomainError('organization_required', 422);
        throw new DomainError('scope_not_allowed', 422, { scope });
      }
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    const secret = `${TOKEN_PREFIX}${randomToken()}`;
    const id = newId();
    await this.db.getRepository(ApiToken).insert({
      id,
      userId: actor.userId,
      name: input.name,
      prefix: secret.slice(0, 10),
      tokenHash: sha256(secret),
      scopes,
      organizationId,
      expiresAt,
    });
    const token = await this.db.getRepository(ApiToken).findOneByOrFail({ id });
    await this.audit.record({
      action: 'token.create',
      targetType: 'api_token',
      targetId: id,
      organizationId,
      after: { name: token.name, scopes, organizationId, expiresAt: token.expiresAt },
    });
    return { ...toTokenDto(token), token: secret };
  }

  async list(page: PageQuery): Promise<Page<TokenDto>> {
    const actor = requireActor();
    const qb = this.db.getRepository(ApiToken).createQueryBuilder('t').where('t.userId = :userId', { userId: actor.userId });
    return mapPage(await paginate(qb, page), toTokenDto);
  }

  /** The caller's own token, revoked by itself: only a request made with a token may. */
  async revokeCurrent(): Promise<void> {
    const actor = requireActor();
    if (actor.kind !== 'token' || !actor.tokenId) throw new Forbidden('token_required');
    await this.revoke(actor.tokenId);
  }

  async revoke(id: string): Promise<void> {
    const actor = requireActor();
    const repository = this.db.getRepository(ApiToken);
    const token = await repository.findOneBy({ id, userId: actor.userId });
    if (!token) throw new NotFound();
    if (token.revokedAt) return;
    await repository.update({ id }, { revokedAt: new Date() });
    await this.audit.record({
      action: 'token.revoke',
      targetType: 'api_token',
      targetId: id,
      organizationId: token.organizationId,
      before: { name: token.name, scopes: token.scopes },
    });
  }
}
