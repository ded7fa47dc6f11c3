/**
 * What an AlternC server holds, as read from its panel database (and, for hand-made DNS
 * records, its zone files): plain data, so the plan is a pure function of it.
 */
export interface AlterncAccount {
  uid: number;
  login: string;
  /** bcrypt `$2y$…`, or md5-crypt `$1$…` on older accounts. */
  passwordHash: string;
  email: string;
  enabled: boolean;
  /** `nom`, `prenom` from `local`, when there. */
  displayName: string | null;
  /** `quotas` by name (`dom`, `web` in KB, `mail`, `mysql`). */
  quotas: Record<string, number>;
}

export interface AlterncDomain {
  uid: number;
  name: string;
  dnsManaged: boolean;
  mailManaged: boolean;
  /** Hand-made records, read from the zone file after AlternC's generated part. */
  zoneExtra: string;
}

export interface AlterncSubDomain {
  uid: number;
  domain: string;
  sub: string;
  /** As stored: the case varies (`VHOST`, `vhost`), older panels add `-ssl`/`-mixssl`. */
  type: string;
  value: string;
  enable: string;
  https: string;
}

export interface AlterncAddress {
  id: number;
  domain: string;
  /** `''` with `type` = `catchall` is the domain's catch-all. */
  localPart: string;
  type: string;
  passwordHash: string | null;
  enabled: boolean;
  /** Set when the address has a mailbox. */
  mailbox: { path: string; quotaMb: number } | null;
  /** Forwards and aliases, one destination per line in AlternC. */
  recipients: string[];
}

export interface AlterncDatabase {
  uid: number;
  name: string;
}

export interface AlterncDatabaseUser {
  uid: number;
  name: string;
  /** Plain text in AlternC: hashed on the way in, never stored by Ruche. */
  password: string;
  enable: string;
}

/** An FTP account (AlternC's `ftpusers`): its folder is inside the account's root. */
export interface AlterncFtpAccount {
  name: string;
  homedir: string;
}

export interface AlterncSnapshot {
  accounts: AlterncAccount[];
  domains: AlterncDomain[];
  subDomains: AlterncSubDomain[];
  addresses: AlterncAddress[];
  databases: AlterncDatabase[];
  databaseUsers: AlterncDatabaseUser[];
  ftpAccounts: AlterncFtpAccount[];
}

/** Where AlternC keeps an account's web files: `/var/www/alternc/<first letter>/<login>/`. */
export function accountRoot(login: string): string {
  return `/var/www/alternc/${login[0]}/${login}`;
}

export const ZONE_FILE_DIR = '/var/lib/alternc/bind/zones';
export const END_OF_GENERATED = ';;; END ALTERNC AUTOGENERATE CONFIGURATION';
