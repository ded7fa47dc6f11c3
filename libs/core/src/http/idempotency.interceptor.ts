import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { currentActor } from '../context/request-context.js';
import { sha256 } from '../crypto/secrets.js';
import { SecretBox } from '../crypto/secret-box.js';
import { DomainError, InvalidRequest } from '../errors/domain-error.js';
import { IDEMPOTENT_METADATA } from './decorators.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** JSON with sorted keys, so the same body hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Stripe-style Idempotency-Key on creates: the first answer is stored in the same
 * transaction as the change, and a repeat gets that answer instead of a duplicate. A repeat
 * sent while the first is still running waits on the key's row lock, then replays.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly reflector: Reflector,
    private readonly secrets: SecretBox,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT_METADATA, context.getHandler())) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw new InvalidRequest('idempotency_key');
    return from(this.run(header, request, http.getResponse<FastifyReply>(), next));
  }

  private async run(key: string, request: FastifyRequest, reply: FastifyReply, next: CallHandler): Promise<unknown> {
    const actor = currentActor();
    const principal = actor?.tokenId ? `token:${actor.tokenId}` : `user:${actor?.userId ?? 'anonymous'}`;
    // The actual path, ids included: the same key and body for another domain is another request.
    const requestHash = sha256(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
    const repository = this.db.getRepository(IdempotencyKey);
    const inserted = await repository
      .createQueryBuilder()
      .insert()
      .values({ principal, key, requestHash })
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length === 0) {
      const first = await repository.findOneByOrFail({ principal, key });
      if (first.requestHash !== requestHash) throw new DomainError('idempotency_key_reused', 422);
      reply.status(first.responseStatus ?? 200).header('idempotent-replayed', 'true');
      return first.responseSealed === null ? undefined : JSON.parse(this.secrets.open(first.responseSealed));
    }
    const id = (inserted.raw[0] as { id: string }).id;
    const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    // Sealed: first answers can hold secrets shown once (a new API token, a generated password).
    await repository.update({ id }, { responseStatus: reply.statusCode, responseSealed: body === undefined ? null : this.secrets.seal(JSON.stringify(body)) });
    return body;
  }
}
