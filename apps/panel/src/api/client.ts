import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/schema';
import { API_OPERATIONS } from './generated/operations';

export type { paths, components };

/** One field's problem in an error: as the API answered it, or as the panel found it before asking (a number it cannot read). */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/**
 * An error answered by the API: `{ error: { code, message, details?, requestId } }`, message
 * already in the user's language. `details` is a list of field problems for a 422, or an
 * object of facts for other errors (409 `domain_taken`: `{ name }`; `quota_exceeded`: the
 * meter, limit and use): the first are `details`, the second `facts`.
 */
export class ApiError extends Error {
  readonly details: FieldProblem[];
  readonly facts: Readonly<Record<string, unknown>>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: unknown = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.details = Array.isArray(details) ? (details as FieldProblem[]) : [];
    this.facts = details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {};
  }

  /** The message for one field of a form (or for a part of it: `domains` answers for `domains.3.name`), if the API gave one. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((detail) => detail.field === field || detail.field.startsWith(`${field}.`))?.message;
  }

  /** The message for exactly this field, not for its parts. */
  exactFieldMessage(field: string): string | undefined {
    return this.details.find((detail) => detail.field === field)?.message;
  }
}

let csrfToken: string | null = null;
let acceptLanguage = 'fr-CA';

/** Set when a session starts or is read (`/auth/me`), cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setRequestLanguage(locale: 'fr' | 'en'): void {
  acceptLanguage = locale === 'en' ? 'en-CA' : 'fr-CA';
}

const session: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', acceptLanguage);
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

/** The typed client: paths, parameters, bodies and answers all come from the API's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the API's (already translated) message. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } };
  throw new ApiError(response.status, body.error?.code ?? 'http_error', body.error?.message ?? '', body.error?.details ?? [], body.error?.requestId ?? null);
}

/** Whether the running API has an operation (areas whose API has not landed stay hidden). */
export function apiHas(operation: string): boolean {
  return API_OPERATIONS.has(operation);
}

export type Schemas = components extends { schemas: infer S } ? S : never;
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer J } } }
    ? J
    : R extends { 201: { content: { 'application/json': infer J } } }
      ? J
      : R extends { 202: { content: { 'application/json': infer J } } }
        ? J
        : never
  : never;
/** The JSON a GET answers, e.g. `Answer<'/api/v1/domains', 'get'>`. */
export type ApiAnswer<P extends keyof paths, M extends keyof paths[P] = 'get' & keyof paths[P]> = Json<P, M>;
export type Item<P extends keyof paths> = ApiAnswer<P> extends { data: Array<infer I> } ? I : never;
