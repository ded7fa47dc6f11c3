import createClient, { type Client } from 'openapi-fetch';
import { ApiError, CliError, EXIT } from '../errors.js';
import type { components, paths } from './generated/schema.js';

export type { components, paths };
export type Api = Client<paths>;

/**
 * A GET's query and a write's JSON body, from the OpenAPI document. openapi-fetch infers the
 * options it is given, so TypeScript checks no extra keys there: calls add
 * `satisfies Query<'/api/v1/jobs'>` (or `Body<…>`) so that a renamed parameter fails the build.
 */
export type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;
export type Body<P extends keyof paths, M extends 'post' | 'patch' | 'put'> = paths[P] extends { [K in M]: { requestBody?: { content: { 'application/json': infer B } } } } ? B : never;

/** The CLI's version, sent as its User-Agent (audit entries say what made a change). */
export const CLI_VERSION = '0.1.0';

export class ApiUnreachable extends CliError {
  constructor(message: string) {
    super(message, EXIT.unreachable, 'unreachable');
  }
}

/**
 * The typed client: paths, parameters, bodies and answers all come from the API's OpenAPI
 * document (generated at build time), so a changed endpoint breaks this build, not a sysadmin's night.
 */
export function createApi(options: { url: string; token?: string | null; languageTag: string }): Api {
  const api = createClient<paths>({
    baseUrl: options.url.trim().replace(/\/+$/, ''),
    headers: { 'accept-language': options.languageTag, 'user-agent': `ruche-cli/${CLI_VERSION}` },
  });
  const token = options.token;
  if (token) {
    api.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return api;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the API's (already translated) message; `unreachable` says what the network refused. */
export async function unwrap<T>(call: Promise<Answer<T>>, unreachable: (reason: string) => string): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    throw new ApiUnreachable(unreachable(reasonOf(error)));
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: Array<{ field?: string; code?: string; message?: string }>; requestId?: string } };
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText,
    Array.isArray(body.error?.details) ? body.error.details : [],
    body.error?.requestId ?? null,
  );
}

/** fetch says "fetch failed" and hides why in `cause` (ECONNREFUSED, ENOTFOUND…). */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Pages of a list, following cursors: at most `limit` items in all unless `all`, starting at
 * `cursor`. Answers one page-shaped document, so `--json` reads the same with or without `--all`.
 */
export async function collect<T>(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  options: { limit: number; all: boolean; cursor?: string | undefined; pageSize?: number },
): Promise<Page<T>> {
  const data: T[] = [];
  let cursor = options.cursor;
  for (;;) {
    const want = options.all ? (options.pageSize ?? 200) : Math.min(options.limit - data.length, options.pageSize ?? 200);
    const page = await fetchPage(cursor, want);
    data.push(...page.data);
    cursor = page.nextCursor ?? undefined;
    if (!cursor) return { data, nextCursor: null };
    if (!options.all && data.length >= options.limit) return { data, nextCursor: cursor };
  }
}
