import path from 'node:path';
import { defineSettings, positiveInt } from '@ruche/core';
import { z } from 'zod';

/** How provisioning reaches servers and how often it goes back to them. */
export const PROVISIONING_SETTINGS = defineSettings(
  'provisioning',
  {
    RUCHE_SSH_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    RUCHE_SSH_CONNECT_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
    // A schedule cron can keep exactly: minutes that divide an hour, or whole hours that divide a day.
    RUCHE_RESYNC_INTERVAL_MINUTES: positiveInt
      .max(1440)
      .refine((minutes) => (minutes <= 60 ? 60 % minutes === 0 : minutes % 60 === 0 && 1440 % minutes === 0), 'must divide an hour (5, 15, 30, 60…) or a day in whole hours (120, 360, 1440…)')
      .default(60),
    RUCHE_RECONCILE_MAX_BACKOFF_SECONDS: positiveInt.max(86_400).default(600),
    RUCHE_ARCHIVE_DIR: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, 'must be an absolute path of plain names')
      .refine((dir) => !dir.split('/').includes('..'), 'must not hold ..')
      .default('/var/backups/ruche'),
  },
  (values, { core, cwd }) => ({
    /** Ruche's SSH key: the file given, else one generated under the data folder. */
    sshPrivateKeyFile: values.RUCHE_SSH_PRIVATE_KEY_FILE ? path.resolve(cwd, values.RUCHE_SSH_PRIVATE_KEY_FILE) : path.join(core.dataDir, 'ssh', 'id_ed25519'),
    sshKeyGiven: values.RUCHE_SSH_PRIVATE_KEY_FILE !== undefined,
    sshConnectTimeoutMs: values.RUCHE_SSH_CONNECT_TIMEOUT_MS,
    resyncIntervalMinutes: values.RUCHE_RESYNC_INTERVAL_MINUTES,
    reconcileMaxBackoffSeconds: values.RUCHE_RECONCILE_MAX_BACKOFF_SECONDS,
    /** Where, on each server, deleted mailboxes and databases are archived. */
    archiveDir: values.RUCHE_ARCHIVE_DIR,
  }),
);
export type ProvisioningSettings = ReturnType<typeof PROVISIONING_SETTINGS.of>;
