/**
 * A failure the caller can act on. `code` is stable and machine-readable; the message is
 * looked up as `errors.<code>` in the caller's language, with `params` interpolated.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly params: Record<string, string | number> = {},
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
    this.name = new.target.name;
  }
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class InvalidRequest extends DomainError {
  constructor(reason = 'malformed') {
    super('invalid_request', 400, { reason });
  }
}

export class ValidationFailed extends DomainError {
  constructor(details: FieldError[]) {
    super('validation_failed', 422, { count: details.length }, details);
  }
}

export class Unauthenticated extends DomainError {
  constructor(code = 'unauthenticated') {
    super(code, 401);
  }
}

export class Forbidden extends DomainError {
  constructor(code = 'forbidden', params: Record<string, string | number> = {}) {
    super(code, 403, params);
  }
}

/** Also what a caller gets for something that exists but that it may not see. */
export class NotFound extends DomainError {
  constructor() {
    super('not_found', 404);
  }
}

export class Conflict extends DomainError {
  constructor(code: string, params: Record<string, string | number> = {}) {
    super(code, 409, params);
  }
}

export class TooManyRequests extends DomainError {
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super('too_many_requests', 429, { seconds }, undefined, { 'retry-after': String(seconds) });
  }
}
