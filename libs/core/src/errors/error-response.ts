import { HttpException } from '@nestjs/common';
import { DomainError } from './domain-error.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
  /** Unexpected failures are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

type Translate = (key: string, params: Record<string, unknown>) => string;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** Errors raised by Fastify itself, before a route runs (body parsing, size limits). */
function fromFastify(error: { code?: string; statusCode?: number }, bodyLimit: number): DomainError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large', 413, { limit: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError('unsupported_media_type', 415);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('invalid_request', 400, { reason: 'empty_body' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('invalid_request', 400, { reason: 'malformed_json' });
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new DomainError('invalid_request', 400, { reason: 'malformed_json' });
  }
  return null;
}

/** Maps anything thrown to the one error shape Ruche answers with. Never leaks stacks or SQL. */
export function toErrorResponse(error: unknown, requestId: string, t: Translate, bodyLimit: number): ErrorResponse {
  let domain: DomainError | null = null;
  if (error instanceof DomainError) {
    domain = error;
  } else if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
    domain = new DomainError(code, status, code === 'payload_too_large' ? { limit: bodyLimit } : { reason: 'malformed' });
  } else if (error && typeof error === 'object') {
    domain = fromFastify(error as { code?: string; statusCode?: number }, bodyLimit);
  }
  const unexpected = domain === null || domain.status >= 500;
  const resolved = domain ?? new DomainError('internal_error', 500);
  const body: ErrorBody = {
    error: {
      code: resolved.code,
      message: t(`errors.${resolved.code}`, resolved.params),
      ...(resolved.details !== undefined ? { details: resolved.details } : {}),
      requestId,
    },
  };
  return { status: resolved.status, headers: resolved.headers, body, unexpected };
}
