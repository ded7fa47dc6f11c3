import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { NO_TRANSACTION_METADATA } from './decorators.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every write request runs in one transaction: the change, its audit entry, its idempotency
 * record and the jobs it enqueues commit together or not at all.
 */
@Injectable()
export class TransactionInterceptor implements NestInterceptor {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const optedOut = this.reflector.get<boolean>(NO_TRANSACTION_METADATA, context.getHandler());
    if (READ_METHODS.has(request.method) || optedOut) return next.handle();
    return from(this.db.withTransaction(() => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
