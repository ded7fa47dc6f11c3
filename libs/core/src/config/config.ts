import path from 'node:path';
import { z } from 'zod';

/** Environment flags accept the usual spellings; anything else is a configuration error. */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
/** `{year}` and `{seq}` or `{seq:N}` (zero-padded to N digits), with safe characters around them. */
const invoiceNumberFormat = z
  .string()
  .regex(/^([A-Za-z0-9/_.-]|\{year\}|\{seq(:[1-9])?\})+$/, 'must hold {seq} (or {seq:N}), optionally {year}, and letters, digits, - _ . /')
  .refine((format) => (format.match(/\{seq(:[1-9])?\}/g) ?? []).length === 1, 'must hold {seq} (or {seq:N}) exactly once');

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
  RUCHE_SSH_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  RUCHE_SSH_CONNECT_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  RUCHE_DNS_NAMESERVERS: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?)(,[a-z0-9]([a-z0-9.-]*[a-z0-9])?)*$/, 'must be host names separated by commas')
    .default('ns1.ruche.localhost,ns2.ruche.localhost'),
  RUCHE_DNS_HOSTMASTER: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a host name (hostmaster.example.org)').default('hostmaster.ruche.localhost'),
  // A schedule cron can keep exactly: minutes that divide an hour, or whole hours that divide a day.
  RUCHE_RESYNC_INTERVAL_MINUTES: positiveInt
    .max(1440)
    .refine((minutes) => (minutes <= 60 ? 60 % minutes === 0 : minutes % 60 === 0 && 1440 % minutes === 0), 'must divide an hour (5, 15, 30, 60…) or a day in whole hours (120, 360, 1440…)')
    .default(60),
  RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: positiveInt.max(86_400).default(600),
  RUCHE_WORKER_METRICS_PORT: port.default(9464),
  RUCHE_LOCAL_SERVER: flag.default(false),
  RUCHE_COOP_NAME: z.string().min(1).max(200).default('Ruche co-op'),
  RUCHE_COOP_ADDRESS: z.string().max(500).default(''),
  RUCHE_GST_NUMBER: z.string().regex(/^[0-9A-Za-z -]{1,30}$/, 'must be a registration number such as 123456789 RT0001').optional(),
  RUCHE_QST_NUMBER: z.string().regex(/^[0-9A-Za-z -]{1,30}$/, 'must be a registration number such as 1234567890 TQ0001').optional(),
  RUCHE_INVOICE_NUMBER_FORMAT: invoiceNumberFormat.default('{year}-{seq:5}'),
  RUCHE_CREDIT_NOTE_NUMBER_FORMAT: invoiceNumberFormat.default('AV-{year}-{seq:5}'),
  RUCHE_BILLING_ANCHOR_DAY: positiveInt.max(28).default(1),
  RUCHE_INVOICE_DUE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
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
  sshPrivateKeyFile: string | undefined;
  sshConnectTimeoutMs: number;
  dnsNameservers: string[];
  dnsHostmaster: string;
  resyncIntervalMinutes: number;
  reconcileMaxBackoffSeconds: number;
  workerMetricsPort: number;
  localServer: boolean;
  /** The co-op as its invoices name it. */
  coopName: string;
  coopAddressLines: string[];
  gstNumber: string | undefined;
  qstNumber: string | undefined;
  invoiceNumberFormat: string;
  creditNoteNumberFormat: string;
  /** The day of the month billing periods start on. */
  billingAnchorDay: number;
  invoiceDueDays: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads Ruche's settings from the environment. Empty values count as unset; a bad value
 * stops start-up with a message naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = e.RUCHE_PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`;
  return {
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
    sshPrivateKeyFile: e.RUCHE_SSH_PRIVATE_KEY_FILE ? path.resolve(cwd, e.RUCHE_SSH_PRIVATE_KEY_FILE) : undefined,
    sshConnectTimeoutMs: e.RUCHE_SSH_CONNECT_TIMEOUT_MS,
    dnsNameservers: e.RUCHE_DNS_NAMESERVERS.split(','),
    dnsHostmaster: e.RUCHE_DNS_HOSTMASTER,
    resyncIntervalMinutes: e.RUCHE_RESYNC_INTERVAL_MINUTES,
    reconcileMaxBackoffSeconds: e.RUCHE_RECONCILE_MAX_BACKOFF_SECONDS,
    workerMetricsPort: e.RUCHE_WORKER_METRICS_PORT,
    localServer: e.RUCHE_LOCAL_SERVER,
    coopName: e.RUCHE_COOP_NAME,
    coopAddressLines: e.RUCHE_COOP_ADDRESS.split(/\\n|\n/).map((line) => line.trim()).filter(Boolean),
    gstNumber: e.RUCHE_GST_NUMBER,
    qstNumber: e.RUCHE_QST_NUMBER,
    invoiceNumberFormat: e.RUCHE_INVOICE_NUMBER_FORMAT,
    creditNoteNumberFormat: e.RUCHE_CREDIT_NOTE_NUMBER_FORMAT,
    billingAnchorDay: e.RUCHE_BILLING_ANCHOR_DAY,
    invoiceDueDays: e.RUCHE_INVOICE_DUE_DAYS,
  };
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
