export const METERS = ['domains', 'sites', 'mailboxes', 'mail_storage_mb', 'databases', 'database_storage_mb', 'web_storage_mb'] as const;
export type Meter = (typeof METERS)[number];

/** Meters measured on the servers (sampled, never checked at create time). */
export const MEASURED_METERS: readonly Meter[] = ['database_storage_mb', 'web_storage_mb'];

export type Quotas = Record<Meter, number>;

/** Property names on Plan for each meter. */
export const PLAN_QUOTA_PROPERTY = {
  domains: 'domains',
  sites: 'sites',
  mailboxes: 'mailboxes',
  mail_storage_mb: 'mailStorageMb',
  databases: 'databases',
  database_storage_mb: 'databaseStorageMb',
  web_storage_mb: 'webStorageMb',
} as const satisfies Record<Meter, string>;
