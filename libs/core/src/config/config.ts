import path from 'node:path';
import { z, type ZodRawShape } from 'zod';
import type { FeatureSettings } from './settings.js';

/** Environment flags accept the usual spellings; anything else is a configuration error. */
export const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().min(1);

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  RUCHE_DB_POOL_SIZE: positiveInt.max(200).default(10),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  RUCHE_PUBLIC_URL: z.url().optional(),
  RUCHE_DATA_DIR: z.string().min(1).default('var'),
  RUCHE_EMBEDDED_PG_PORT: port.default(54329),
  RUCHE_ADMIN_EMAIL: z.email().default('admin@ruche.localhost'),
  RUCHE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  RUCHE_REQUIRE_STAFF_2FA: flag.default(false),
  RUCHE_DEFAULT_LOCALE: z.enum(['fr', 'en']).default('fr'),
  RUCHE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RUCHE_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  RUCHE_SESSION_TTL_HOURS: positiveInt.max(24 * 90).default(12),
  RUCHE_COOKIE_SECURE: flag.optional(),
  RUCHE_TRUST_PROXY: flag.default(false),
  RUCHE_BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  RUCHE_LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt.default(5),
  RUCHE_LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt.default(20),
  RUCHE_LOGIN_WINDOW_MINUTES: positiveInt.default(15),
  RUCHE_PASSWORD_RESET_MAX_PER_ACCOUNT: positiveInt.default(3),
  RUCHE_PASSWORD_RESET_TTL_MINUTES: positiveInt.max(24 * 60).default(60),
  RUCHE_INVITATION_TTL_DAYS: positiveInt.max(90).default(7),
  RUCHE_WORKER_CONCURRENCY: positiveInt.max(64).default(4),
  RUCHE_QUEUE_POLL_INTERVAL_MS: positiveInt.min(100).max(600_000).default(1000),
  RUCHE_SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes encoded in base64')
    .optional(),
  RUCHE_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  RUCHE_MAIL_FROM: z.string().min(3).default('Ruche <ruche@localhost>'),
  RUCHE_WORKER_METRICS_PORT: port.default(9464),
  RUCHE_PANEL_DIR: z.string().min(1).optional(),
});

export type Locale = 'fr' | 'en';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  dbPoolSize: number;
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  embeddedPgPort: number;
  adminEmail: string;
  adminPassword: string | undefined;
  requireStaff2fa: boolean;
  defaultLocale: Locale;
  logLevel: string;
  /** `auto`: readable lines at a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  sessionTtlHours: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  bodyLimitBytes: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerAddress: number;
  loginWindowMinutes: number;
  /** Password-reset requests per address and window before 429 (per source address: the sign-in limit). */
  passwordResetMaxPerAccount: number;
  passwordResetTtlMinutes: number;
  invitationTtlDays: number;
  workerConcurrency: number;
  /** How often a worker looks for due jobs when no notification came (delayed jobs, missed NOTIFY). */
  queuePollIntervalMs: number;
  secretKey: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  workerMetricsPort: number;
  /** The panel's build (index.html and assets/), served at `/`; unset: the one beside the API's. */
  panelDir: string | null;
  /** Each feature's own settings, by feature name (see `defineSettings`). */
  features: Readonly<Record<string, unknown>>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads Ruche's settings from the environment. Empty values count as unset; a bad value
 * stops start-up with a message naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), features: readonly FeatureSettings[] = []): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const shape: Record<string, ZodRawShape[string]> = { ...environmentSchema.shape };
  for (const feature of features) {
    for (const key of Object.keys(feature.shape)) {
      if (key in shape) throw new Error(`The setting ${key} is declared twice (${feature.name})`);
      shape[key] = feature.shape[key]!;
    }
  }
  const parsed = z.object(shape).safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data as z.output<typeof environmentSchema>;
  const publicUrl = e.RUCHE_PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`;
  const core: Omit<Config, 'features'> = {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.RUCHE_DB_POOL_SIZE,
    host: e.HOST,
    port: e.PORT,
    publicUrl: publicUrl.replace(/\/$/, ''),
    dataDir: path.resolve(cwd, e.RUCHE_DATA_DIR),
    embeddedPgPort: e.RUCHE_EMBEDDED_PG_PORT,
    adminEmail: e.RUCHE_ADMIN_EMAIL.toLowerCase(),
    adminPassword: e.RUCHE_ADMIN_PASSWORD,
    requireStaff2fa: e.RUCHE_REQUIRE_STAFF_2FA,
    defaultLocale: e.RUCHE_DEFAULT_LOCALE,
    logLevel: e.RUCHE_LOG_LEVEL,
    logFormat: e.RUCHE_LOG_FORMAT,
    sessionTtlHours: e.RUCHE_SESSION_TTL_HOURS,
    cookieSecure: e.RUCHE_COOKIE_SECURE ?? publicUrl.startsWith('https://'),
    trustProxy: e.RUCHE_TRUST_PROXY,
    bodyLimitBytes: e.RUCHE_BODY_LIMIT_BYTES,
    loginMaxFailuresPerAccount: e.RUCHE_LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerAddress: e.RUCHE_LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginWindowMinutes: e.RUCHE_LOGIN_WINDOW_MINUTES,
    passwordResetMaxPerAccount: e.RUCHE_PASSWORD_RESET_MAX_PER_ACCOUNT,
    passwordResetTtlMinutes: e.RUCHE_PASSWORD_RESET_TTL_MINUTES,
    invitationTtlDays: e.RUCHE_INVITATION_TTL_DAYS,
    workerConcurrency: e.RUCHE_WORKER_CONCURRENCY,
    queuePollIntervalMs: e.RUCHE_QUEUE_POLL_INTERVAL_MS,
    secretKey: e.RUCHE_SECRET_KEY,
    smtpUrl: e.RUCHE_SMTP_URL,
    mailFrom: e.RUCHE_MAIL_FROM,
    workerMetricsPort: e.RUCHE_WORKER_METRICS_PORT,
    panelDir: e.RUCHE_PANEL_DIR ? path.resolve(cwd, e.RUCHE_PANEL_DIR) : null,
  };
  const values = parsed.data as Record<string, unknown>;
  const settings = Object.fromEntries(features.map((feature) => [feature.name, feature.map(values as never, { core, cwd })]));
  return { ...core, features: settings };
}

/** The API and the worker need a database; only the launcher may start without one. */
export function requireDatabaseUrl(config: Config): string {
  if (!config.databaseUrl) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_URL: required here (run `npm start` for the embedded default, which sets it)',
    );
  }
  return config.databaseUrl;
}

export const CONFIG = Symbol('ruche.config');
