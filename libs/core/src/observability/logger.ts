import { pino, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = ['password', 'newPassword', 'currentPassword', 'token', 'secret', 'authorization', 'cookie', 'set-cookie', 'csrfToken', 'privateKey', 'recoveryCode', 'otp'];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ruche', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      redact: {
        paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`), ...REDACTED_KEYS.map((key) => `*.*.${key}`)],
        censor: '[redacted]',
      },
      // Every line written while serving a request or running a job carries its id.
      mixin() {
        const ctx = RequestContext.current();
        return ctx ? { requestId: ctx.requestId } : {};
      },
    },
    destination,
  );
}

/** Lets Nest's own messages (start-up, route mapping) go through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const LOGGER = Symbol('ruche.logger');
export type { Logger };
