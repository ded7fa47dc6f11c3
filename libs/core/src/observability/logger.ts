import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { LoggerService } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = ['password', 'newPassword', 'currentPassword', 'token', 'secret', 'authorization', 'cookie', 'set-cookie', 'csrfToken', 'privateKey', 'recoveryCode', 'otp'];

/**
 * Errors as pino serialises them, without what may carry a value someone sent: the parameters
 * of a failed SQL statement (a new token's hash, a password hash) and PostgreSQL's `detail`
 * (`Key (email)=(…) already exists`). The statement, the constraint and the code stay.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!serialized || typeof serialized !== 'object') return serialized;
  return withoutValues(serialized, 0);
}

const VALUE_KEYS = new Set(['parameters', 'detail', 'where', 'internalQuery']);

function withoutValues(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (VALUE_KEYS.has(key)) continue;
    clean[key] = field && typeof field === 'object' && !Array.isArray(field) && depth < 3 ? withoutValues(field as Record<string, unknown>, depth + 1) : field;
  }
  return clean;
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * JSON lines for machines; readable lines for a person at a terminal (`auto`: pretty when
 * standard output is a terminal, which `npm start` in a shell is, JSON otherwise).
 */
export function createLogger(level: string, options: { format?: LogFormat; destination?: pino.DestinationStream } = {}): Logger {
  const format = options.format ?? 'auto';
  const pretty = !options.destination && (format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true));
  const destination =
    options.destination ?? (pretty ? (createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty'))({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', sync: true }) : undefined);
  return pino(
    {
      level,
      serializers: { err: serializeError, error: serializeError },
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
