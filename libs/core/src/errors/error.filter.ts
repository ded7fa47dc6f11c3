import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '../config/config.js';
import { I18nService } from '../i18n/i18n.service.js';
import { LOGGER, type Logger } from '../observability/logger.js';
import { toErrorResponse } from './error-response.js';

/**
 * The one place errors become HTTP answers: `{ error: { code, message, details?, requestId } }`.
 * Nest routes Fastify's own errors (bad JSON, body too large) here too.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly i18n: I18nService,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const response = toErrorResponse(error, String(request.id), (key, params) => this.i18n.t(key, params), this.config.bodyLimitBytes);
    if (response.unexpected) this.logger.error({ err: error, url: request.url, method: request.method }, 'request failed');
    if (reply.sent) return;
    reply.status(response.status).headers(response.headers).send(response.body);
  }
}
