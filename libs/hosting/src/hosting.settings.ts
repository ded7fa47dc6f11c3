import { defineSettings, flag, positiveInt } from '@ruche/core';
import { z } from 'zod';

const hostName = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** What hosting needs to know of the co-op: its name servers (clients set them at their registrar). */
export const HOSTING_SETTINGS = defineSettings(
  'hosting',
  {
    RUCHE_DNS_NAMESERVERS: z
      .string()
      .regex(/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?)(,[a-z0-9]([a-z0-9.-]*[a-z0-9])?)*$/, 'must be host names separated by commas')
      .default('ns1.ruche.localhost,ns2.ruche.localhost'),
    RUCHE_DNS_HOSTMASTER: z.string().regex(hostName, 'must be a host name (hostmaster.example.org)').default('hostmaster.ruche.localhost'),
    RUCHE_LOCAL_SERVER: flag.default(false),
    RUCHE_ARCHIVE_RETENTION_DAYS: positiveInt.max(3650).default(30),
  },
  (values) => ({
    /** Written as NS in every zone, the first as the SOA's primary. */
    nameservers: values.RUCHE_DNS_NAMESERVERS.split(','),
    hostmaster: values.RUCHE_DNS_HOSTMASTER,
    /** Register the `local` server (a folder), as the embedded default does. */
    localServer: values.RUCHE_LOCAL_SERVER,
    /** How long the archive of a deleted mailbox or database is kept. */
    archiveRetentionDays: values.RUCHE_ARCHIVE_RETENTION_DAYS,
  }),
);
export type HostingSettings = ReturnType<typeof HOSTING_SETTINGS.of>;
