import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig, type Config } from '@ruche/core';
import { createApi, prepareDatabase } from '../../apps/api/src/api.js';
import { featureSettings } from '../../apps/api/src/features.js';
import { createTestDatabase } from './test-database.js';

export const ADMIN_EMAIL = 'admin@ruche.localhost';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes, for answers that are not text (a PDF). */
  rawBody: Buffer;
}

export type Credentials = { kind: 'session'; cookie: string; csrfToken: string } | { kind: 'token'; token: string } | null;

export interface RequestOptions {
  headers?: Record<string, string>;
  remoteAddress?: string;
  /** Send this exact payload (a string) instead of JSON-encoding `body`. */
  raw?: string;
}

/** Someone calling the API: anonymous, a signed-in browser session, or a bearer token. */
export class Caller {
  constructor(
    private readonly fastify: FastifyInstance,
    readonly credentials: Credentials,
    readonly defaults: RequestOptions = {},
  ) {}

  with(options: RequestOptions): Caller {
    return new Caller(this.fastify, this.credentials, { ...this.defaults, ...options, headers: { ...this.defaults.headers, ...options.headers } });
  }

  async request<T = any>(method: string, url: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.defaults.headers, ...options.headers };
    if (this.credentials?.kind === 'session') {
      headers.cookie = `ruche_session=${this.credentials.cookie}`;
      if (!['GET', 'HEAD'].includes(method) && !('x-csrf-token' in headers)) headers['x-csrf-token'] = this.credentials.csrfToken;
    } else if (this.credentials?.kind === 'token') {
      headers.authorization = `Bearer ${this.credentials.token}`;
    }
    let payload: string | undefined = options.raw ?? this.defaults.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await this.fastify.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
      remoteAddress: options.remoteAddress ?? this.defaults.remoteAddress ?? '127.0.0.1',
    });
    const type = String(response.headers['content-type'] ?? '');
    return {
      status: response.statusCode,
      body: type.includes('application/json') && response.body ? JSON.parse(response.body) : response.body,
      headers: response.headers as ApiResponse['headers'],
      rawBody: response.rawPayload,
    };
  }

  get<T = any>(url: string, options?: RequestOptions) {
    return this.request<T>('GET', url, undefined, options);
  }
  post<T = any>(url: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', url, body ?? {}, options);
  }
  patch<T = any>(url: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', url, body ?? {}, options);
  }
  put<T = any>(url: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', url, body ?? {}, options);
  }
  delete<T = any>(url: string, options?: RequestOptions) {
    return this.request<T>('DELETE', url, undefined, options);
  }
}

export interface TestApi {
  app: NestFastifyApplication;
  fastify: FastifyInstance;
  config: Config;
  /** A direct connection to the test database, for assertions on what was (not) written. */
  db: DataSource;
  anonymous: Caller;
  login(email: string, password: string, extra?: Record<string, string>): Promise<Caller>;
  admin(): Promise<Caller>;
  close(): Promise<void>;
}

/** The real API (every module, real PostgreSQL) in this process, on a database of its own. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ruche-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    RUCHE_DATA_DIR: dataDir,
    RUCHE_LOG_LEVEL: 'silent',
    RUCHE_ADMIN_EMAIL: ADMIN_EMAIL,
    RUCHE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RUCHE_DEFAULT_LOCALE: 'en',
    RUCHE_DB_POOL_SIZE: '5',
    ...env,
  }, process.cwd(), featureSettings);
  await prepareDatabase(config, database.url);
  // RUCHE_TEST_LOG_LEVEL=debug shows the API's logs while debugging a test.
  const app = await createApi(config, createLogger(process.env.RUCHE_TEST_LOG_LEVEL ?? 'silent'), database.url);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  await fastify.ready();
  const db = new DataSource({ type: 'postgres', url: database.url, poolSize: 3 });
  await db.initialize();
  const anonymous = new Caller(fastify, null);
  const login = async (email: string, password: string, extra: Record<string, string> = {}) => {
    const response = await anonymous.post('/api/v1/auth/login', { email, password, ...extra });
    if (response.status !== 200) throw new Error(`login as ${email} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return new Caller(fastify, { kind: 'session', cookie: sessionCookie(response), csrfToken: response.body.csrfToken });
  };
  return {
    app,
    fastify,
    config,
    db,
    anonymous,
    login,
    admin: () => login(ADMIN_EMAIL, ADMIN_PASSWORD),
    close: async () => {
      await app.close();
      await db.destroy();
      await database.drop();
      // Its data folder holds the secret box's key, and servers' files: nothing stays behind.
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function sessionCookie(response: ApiResponse): string {
  const header = response.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header : [header ?? ''];
  const match = cookies.map((c) => /ruche_session=([^;]+)/.exec(c)).find(Boolean);
  if (!match) throw new Error('no session cookie in the answer');
  return match[1]!;
}

export function bearer(api: TestApi, token: string): Caller {
  return new Caller(api.fastify, { kind: 'token', token });
}
