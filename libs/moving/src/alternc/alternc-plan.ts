import { AddressError, isSafeDocumentRoot, NameError, normalizeRecord, parseDomainName, parseExternalAddress, parseHostName, parseLocalAddress, RecordError, redirectProblem, type RecordType } from '@ruche/hosting';
import { accountRoot, END_OF_GENERATED, type AlterncAccount, type AlterncSnapshot } from './alternc-snapshot.js';

/**
 * The import's decisions, as a pure function of what AlternC holds: what becomes what in
 * Ruche, and what cannot be carried and why. The job around it only does I/O.
 */
export const ITEM_KINDS = ['organization', 'domain', 'dns_record', 'site', 'mailbox', 'mail_alias', 'database', 'database_user', 'ftp_account'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface OrganizationSpec {
  login: string;
  name: string;
  email: string;
  displayName: string;
  passwordHash: string;
  /** Quota overrides (Ruche's meters), at least what is carried. */
  quotas: Record<string, number>;
}
export interface DomainSpec {
  name: string;
  mailEnabled: boolean;
}
export interface RecordSpec {
  domain: string;
  type: RecordType;
  name: string;
  value: string;
  ttl?: number;
  priority?: number;
}
export interface SiteSpec {
  hostnames: string[];
  documentRoot?: string;
  redirectTo?: string;
  https: boolean;
}
export interface MailboxSpec {
  address: string;
  /** In a scheme Dovecot reads: `{SHA512-CRYPT}$6$…`, `{MD5-CRYPT}$1$…`. */
  passwordHash: string;
  quotaMb: number;
  forwards: string[];
  /** The maildir on the AlternC server. */
  sourceMaildir: string;
}
export interface AliasSpec {
  address: string;
  destinations: string[];
}
export interface DatabaseSpec {
  sourceName: string;
  shortName: string;
}
export interface DatabaseUserSpec {
  sourceName: string;
  shortName: string;
  password: string;
  /** Short names of the account's databases it is granted (AlternC gives its users every one). */
  databases: string[];
}

/**
 * An FTP account, noted and not carried: Ruche has no SFTP accounts yet. Its folder is relative
 * to the account's web space, for the work that will make them.
 */
export interface FtpAccountSpec {
  name: string;
  folder: string;
}

interface ItemBase {
  key: string;
  /** The AlternC login the item belongs to. */
  account: string;
  /** Null when carried; otherwise a stable code saying why not (messages in the catalogues). */
  reason: string | null;
  /** Carried with a change worth knowing (`renamed`, `quota_unlimited`…), or null. */
  note: string | null;
}
export type PlannedItem = ItemBase &
  (
    | { kind: 'organization'; spec: OrganizationSpec }
    | { kind: 'domain'; spec: DomainSpec }
    | { kind: 'dns_record'; spec: RecordSpec }
    | { kind: 'site'; spec: SiteSpec }
    | { kind: 'mailbox'; spec: MailboxSpec }
    | { kind: 'mail_alias'; spec: AliasSpec }
    | { kind: 'database'; spec: DatabaseSpec }
    | { kind: 'database_user'; spec: DatabaseUserSpec }
    | { kind: 'ftp_account'; spec: FtpAccountSpec }
  );

export interface PlanOptions {
  /** Only these logins (all when empty). */
  accounts?: readonly string[];
  /** The address new sites' host names point at (the web server Ruche places them on). */
  webIpv4?: string | null;
  /** The name prefix Ruche gives each organisation (its login when free): database names carry it. */
  prefixOf?: (login: string) => string;
}

const LOGIN = /^[a-z0-9]{1,14}$/;
/** A maildir path that can go on a command line as one argument without surprises. */
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]+$/;
/** Ruche's mailbox quota when AlternC says 0 (unlimited): 10 GB. */
const UNLIMITED_MAILBOX_MB = 10_240;

/** A bcrypt, sha-crypt or md5-crypt hash, in the form Dovecot's passwd-file reads. */
export function dovecotSchemeOf(hash: string | null): string | null {
  if (!hash) return null;
  const trimmed = hash.trim();
  if (/^\{[A-Z0-9.-]+\}/.test(trimmed)) return /^\{(SHA512-CRYPT|SHA256-CRYPT|MD5-CRYPT|BLF-CRYPT|CRYPT)\}\$[0-9a-z]+\$[./A-Za-z0-9$]+$/.test(trimmed) ? trimmed : null;
  if (/^\$6\$[./A-Za-z0-9$=]+$/.test(trimmed)) return `{SHA512-CRYPT}${trimmed}`;
  if (/^\$5\$[./A-Za-z0-9$=]+$/.test(trimmed)) return `{SHA256-CRYPT}${trimmed}`;
  if (/^\$1\$[./A-Za-z0-9$]+$/.test(trimmed)) return `{MD5-CRYPT}${trimmed}`;
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(trimmed)) return `{BLF-CRYPT}${trimmed}`;
  return null;
}

/** A sub-domain row's type, lower-cased, and whether an older `-ssl`/`-mixssl` suffix asks for HTTPS. */
function subType(raw: string): { type: string; https: boolean } {
  const type = raw.trim().toLowerCase();
  const match = /^(.*?)-(ssl|mixssl)$/.exec(type);
  return match ? { type: match[1]!, https: true } : { type, https: false };
}

function hostOf(sub: string, domain: string): string {
  return sub === '' || sub === '@' ? domain : `${sub.toLowerCase()}.${domain}`;
}

function relative(sub: string): string {
  return sub === '' ? '@' : sub.toLowerCase();
}

/** Parses one hand-made zone line (`name [ttl] [IN] type rdata`) into a record of the zone, or says why not. */
export function parseZoneLine(line: string, zone: string, previousName: string): { record: RecordSpec | null; reason: string | null; name: string } {
  const leadingBlank = /^\s/.test(line);
  const tokens = line.trim().match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  let name = previousName;
  if (!leadingBlank) name = tokens.shift() ?? '@';
  let ttl: number | undefined;
  if (tokens[0] && /^\d+$/.test(tokens[0])) ttl = Number(tokens.shift());
  if (tokens[0]?.toUpperCase() === 'IN') tokens.shift();
  if (!ttl && tokens[0] && /^\d+$/.test(tokens[0])) ttl = Number(tokens.shift());
  const type = (tokens.shift() ?? '').toUpperCase();
  if (name.endsWith('.')) {
    const absolute = name.slice(0, -1).toLowerCase();
    name = absolute === zone ? '@' : absolute.endsWith(`.${zone}`) ? absolute.slice(0, -zone.length - 1) : absolute;
  }
  const known: readonly string[] = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'];
  if (!known.includes(type)) return { record: null, reason: 'record_type_unsupported', name };
  let priority: number | undefined;
  if ((type === 'MX' || type === 'SRV') && tokens[0] && /^\d+$/.test(tokens[0])) priority = Number(tokens.shift());
  let value = tokens.join(' ');
  if (type !== 'TXT' && type !== 'CAA' && value.endsWith('.')) value = value.slice(0, -1);
  return { record: { domain: zone, type: type as RecordType, name, value, ...(ttl ? { ttl } : {}), ...(priority !== undefined ? { priority } : {}) }, reason: null, name };
}

/** Hand-made records: the lines of the zone file after AlternC's generated part. */
export function handMadeLines(zoneFile: string): string[] {
  const at = zoneFile.indexOf(END_OF_GENERATED);
  if (at < 0) return [];
  return zoneFile
    .slice(at + END_OF_GENERATED.length)
    .split('\n')
    .map((line) => line.replace(/\s;.*$/, '').replace(/^;.*$/, ''))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('$'));
}

function recordProblem(spec: RecordSpec): string | null {
  try {
    normalizeRecord({ type: spec.type, name: spec.name, value: spec.value, ttl: spec.ttl, priority: spec.priority ?? null }, spec.domain);
    return null;
  } catch (error) {
    if (error instanceof RecordError || error instanceof NameError) return `record_${(error as RecordError).problem ?? 'invalid'}`;
    throw error;
  }
}

function recordKey(spec: RecordSpec): string {
  return `dns_record:${spec.domain}:${spec.type}:${spec.name}:${spec.priority ?? ''}:${spec.value}`;
}

const meters = { dom: 'domains', mail: 'mailboxes', mysql: 'databases' } as const;

function organizationItem(account: AlterncAccount, carried: { domains: number; sites: number; mailboxes: number; mailMb: number; databases: number }): PlannedItem {
  const quotas: Record<string, number> = {};
  for (const [name, meter] of Object.entries(meters)) quotas[meter] = Math.max(account.quotas[name] ?? 0, (carried as Record<string, number>)[meter] ?? 0);
  quotas.sites = Math.max(carried.sites, quotas.domains ?? 0);
  quotas.mail_storage_mb = Math.max(carried.mailMb, 1);
  if (account.quotas.web) quotas.web_storage_mb = Math.max(1, Math.ceil(account.quotas.web / 1024));
  for (const key of Object.keys(quotas)) quotas[key] = Math.max(1, quotas[key]!);
  const usable = /^\$(2[aby]|1|5|6)\$/.test(account.passwordHash);
  return {
    kind: 'organization',
    key: `organization:${account.login}`,
    account: account.login,
    reason: LOGIN.test(account.login) ? null : 'login_invalid',
    note: usable ? null : 'password_not_carried',
    spec: {
      login: account.login,
      name: account.login,
      email: account.email.trim().toLowerCase(),
      displayName: account.displayName || account.login,
      passwordHash: usable ? account.passwordHash : '',
      quotas,
    },
  };
}

/**
 * Everything the import would do for these accounts, in the order it must happen
 * (organisations, domains, records, sites, mail, databases, then their users).
 */
export function planAlterncImport(snapshot: AlterncSnapshot, options: PlanOptions = {}): PlannedItem[] {
  const wanted = options.accounts && options.accounts.length > 0 ? new Set(options.accounts) : null;
  const accounts = snapshot.accounts.filter((account) => !wanted || wanted.has(account.login));
  const byUid = new Map(accounts.map((account) => [account.uid, account]));
  const prefixOf = options.prefixOf ?? ((login: string) => login);
  const items: PlannedItem[] = [];
  const push = (item: PlannedItem) => items.push(item);

  const domainOwner = new Map<string, AlterncAccount>();
  const domainItems: PlannedItem[] = [];
  for (const domain of snapshot.domains) {
    const account = byUid.get(domain.uid);
    if (!account) continue;
    let reason: string | null = null;
    let name = domain.name.toLowerCase();
    try {
      name = parseDomainName(domain.name).ascii;
    } catch (error) {
      if (!(error instanceof NameError)) throw error;
      reason = `domain_${error.problem}`;
    }
    if (!reason) domainOwner.set(name, account);
    domainItems.push({ kind: 'domain', key: `domain:${name}`, account: account.login, reason, note: domain.dnsManaged ? null : 'zone_served_elsewhere', spec: { name, mailEnabled: domain.mailManaged } });
  }

  const records: PlannedItem[] = [];
  const sites: PlannedItem[] = [];
  const addRecord = (account: AlterncAccount, spec: RecordSpec, reason: string | null = null, note: string | null = null) => {
    const key = recordKey(spec);
    if (records.some((item) => item.key === key)) return;
    records.push({ kind: 'dns_record', key, account: account.login, reason: reason ?? recordProblem(spec), note, spec });
  };
  const namesWithAddress = new Set<string>();
  for (const row of snapshot.subDomains) {
    const { type } = subType(row.type);
    if (['ip', 'ipv6', 'cname'].includes(type)) namesWithAddress.add(hostOf(row.sub, row.domain.toLowerCase()));
  }
  for (const row of snapshot.subDomains) {
    const domain = row.domain.toLowerCase();
    const account = domainOwner.get(domain);
    if (!account || byUid.get(row.uid) !== account) continue;
    const { type, https: legacyHttps } = subType(row.type);
    const enabled = !/^disabled?$/i.test(row.enable.trim());
    const host = hostOf(row.sub, domain);
    const name = relative(row.sub);
    const recordOf = (recordType: RecordType, value: string, priority?: number): RecordSpec => ({ domain, type: recordType, name, value: value.trim().replace(/\.$/, ''), ...(priority !== undefined ? { priority } : {}) });
    switch (type) {
      case 'vhost':
      case 'url': {
        let reason: string | null = enabled ? null : 'disabled';
        let hostname = host;
        try {
          hostname = parseHostName(host);
        } catch (error) {
          if (!(error instanceof NameError)) throw error;
          reason ??= row.sub.includes('*') ? 'wildcard_site' : `hostname_${error.problem}`;
        }
        const https = legacyHttps || /^(https|both)$/i.test(row.https.trim());
        const spec: SiteSpec = { hostnames: [hostname], https };
        if (type === 'vhost') {
          const documentRoot = row.value.trim().replace(/^\/+|\/+$/g, '');
          if (!isSafeDocumentRoot(documentRoot)) reason ??= 'document_root_unsupported';
          spec.documentRoot = documentRoot;
        } else {
          const problem = redirectProblem(row.value.trim());
          if (problem) reason ??= problem;
          spec.redirectTo = row.value.trim();
        }
        sites.push({ kind: 'site', key: `site:${hostname}`, account: account.login, reason, note: null, spec });
        if (!reason && name !== '@' && name !== 'www' && !namesWithAddress.has(host) && options.webIpv4) addRecord(account, { domain, type: 'A', name, value: options.webIpv4 });
        break;
      }
      case 'ip':
        addRecord(account, recordOf('A', row.value), enabled ? null : 'disabled');
        break;
      case 'ipv6':
        addRecord(account, recordOf('AAAA', row.value), enabled ? null : 'disabled');
        break;
      case 'cname':
        addRecord(account, recordOf('CNAME', row.value), enabled ? null : 'disabled');
        break;
      case 'txt':
        addRecord(account, recordOf('TXT', row.value.trim()), enabled ? null : 'disabled');
        break;
      case 'mx':
        addRecord(account, recordOf('MX', row.value, 5), enabled ? null : 'disabled');
        break;
      case 'mx2':
        addRecord(account, recordOf('MX', row.value, 10), enabled ? null : 'disabled');
        break;
      case 'defmx':
      case 'defmx2':
      case 'dkim':
      case 'autodiscover':
      case 'panel':
        // AlternC's own records: Ruche writes its own MX, DKIM key and mail records.
        addRecord(account, recordOf(type === 'dkim' ? 'TXT' : type.startsWith('defmx') ? 'MX' : 'CNAME', row.value || '-', type.startsWith('defmx') ? 10 : undefined), 'replaced_by_ruche');
        break;
      default:
        addRecord(account, { domain, type: 'TXT', name, value: `${row.type} ${row.value}` }, 'sub_domain_type_unsupported');
    }
  }
  for (const domain of snapshot.domains) {
    const name = domain.name.toLowerCase();
    const account = domainOwner.get(name);
    if (!account) continue;
    let previous = '@';
    for (const line of handMadeLines(domain.zoneExtra)) {
      const parsed = parseZoneLine(line, name, previous);
      previous = parsed.name;
      if (parsed.record) addRecord(account, parsed.record, null, 'hand_made');
      else records.push({ kind: 'dns_record', key: `dns_record:${name}:line:${line.trim()}`, account: account.login, reason: parsed.reason, note: 'hand_made', spec: { domain: name, type: 'TXT', name: parsed.name, value: line.trim() } });
    }
  }

  const mail: PlannedItem[] = [];
  for (const address of snapshot.addresses) {
    const domain = address.domain.toLowerCase();
    const account = domainOwner.get(domain);
    if (!account) continue;
    const catchAll = address.localPart === '' || address.type.toLowerCase() === 'catchall';
    const full = `${catchAll ? '*' : address.localPart.toLowerCase()}@${domain}`;
    let reason: string | null = address.enabled ? null : 'disabled';
    try {
      parseLocalAddress(full, { allowCatchAll: true });
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      reason ??= `address_${error.problem}`;
    }
    const destinations: string[] = [];
    for (const line of address.recipients) {
      const destination = line.trim();
      if (!destination) continue;
      try {
        destinations.push(parseExternalAddress(destination.includes('@') ? destination : `${destination}@${domain}`));
      } catch (error) {
        if (!(error instanceof AddressError)) throw error;
        reason ??= 'forward_invalid';
      }
    }
    const unique = [...new Set(destinations)].filter((destination) => destination !== full);
    if (address.mailbox && !catchAll) {
      const passwordHash = dovecotSchemeOf(address.passwordHash);
      if (!passwordHash) reason ??= address.passwordHash ? 'mail_password_scheme_unsupported' : 'mail_password_missing';
      const maildir = `${address.mailbox.path.replace(/\/+$/, '')}/Maildir`;
      if (!SAFE_PATH.test(maildir) || maildir.split('/').includes('..')) reason ??= 'maildir_path_unsupported';
      const quotaMb = address.mailbox.quotaMb > 0 ? Math.min(address.mailbox.quotaMb, 1_048_576) : UNLIMITED_MAILBOX_MB;
      mail.push({
        kind: 'mailbox',
        key: `mailbox:${full}`,
        account: account.login,
        reason,
        note: address.mailbox.quotaMb > 0 ? null : 'quota_unlimited',
        spec: { address: full, passwordHash: passwordHash ?? '', quotaMb, forwards: unique, sourceMaildir: maildir },
      });
    } else if (unique.length > 0) {
      mail.push({ kind: 'mail_alias', key: `mail_alias:${full}`, account: account.login, reason, note: null, spec: { address: full, destinations: unique.slice(0, 50) } });
    } else {
      mail.push({ kind: 'mail_alias', key: `mail_alias:${full}`, account: account.login, reason: reason ?? 'address_without_destination', note: null, spec: { address: full, destinations: [] } });
    }
  }

  const databases: PlannedItem[] = [];
  const shortNames = new Map<number, string[]>();
  for (const database of snapshot.databases) {
    const account = byUid.get(database.uid);
    if (!account) continue;
    const { shortName, renamed } = shortNameOf(database.name, account.login, prefixOf(account.login), 'main');
    const reason = shortName ? null : 'database_name_unsupported';
    if (shortName) shortNames.set(account.uid, [...(shortNames.get(account.uid) ?? []), shortName]);
    databases.push({ kind: 'database', key: `database:${database.name}`, account: account.login, reason, note: renamed ? 'renamed' : null, spec: { sourceName: database.name, shortName: shortName ?? '' } });
  }
  for (const user of snapshot.databaseUsers) {
    const account = byUid.get(user.uid);
    if (!account) continue;
    if (user.enable.toUpperCase() === 'ADMIN') {
      databases.push({ kind: 'database_user', key: `database_user:${user.name}`, account: account.login, reason: 'panel_user', note: null, spec: { sourceName: user.name, shortName: '', password: '', databases: [] } });
      continue;
    }
    const { shortName, renamed } = shortNameOf(user.name, account.login, prefixOf(account.login), 'user');
    const reason = !shortName ? 'database_user_name_unsupported' : user.password.length === 0 ? 'database_password_missing' : null;
    databases.push({
      kind: 'database_user',
      key: `database_user:${user.name}`,
      account: account.login,
      reason,
      note: renamed ? 'renamed' : null,
      spec: { sourceName: user.name, shortName: shortName ?? '', password: user.password, databases: shortNames.get(account.uid) ?? [] },
    });
  }

  const ftp: PlannedItem[] = [];
  for (const account of snapshot.ftpAccounts) {
    const owner = accounts.find((candidate) => account.homedir === accountRoot(candidate.login) || account.homedir.startsWith(`${accountRoot(candidate.login)}/`));
    if (!owner) continue;
    const folder = account.homedir.slice(accountRoot(owner.login).length).replace(/\/+$/, '') || '/';
    ftp.push({ kind: 'ftp_account', key: `ftp_account:${account.name}`, account: owner.login, reason: 'sftp_not_yet', note: `folder:${folder}`, spec: { name: account.name, folder } });
  }

  const carriedFor = (login: string) => {
    const mine = (list: PlannedItem[], kind: ItemKind) => list.filter((item) => item.account === login && item.kind === kind && !item.reason);
    return {
      domains: mine(domainItems, 'domain').length,
      sites: mine(sites, 'site').length,
      mailboxes: mine(mail, 'mailbox').length,
      mailMb: mine(mail, 'mailbox').reduce((sum, item) => sum + (item.spec as MailboxSpec).quotaMb, 0),
      databases: mine(databases, 'database').length,
    };
  };
  for (const account of accounts) push(organizationItem(account, carriedFor(account.login)));
  for (const list of [domainItems, records, sites, mail, databases, ftp]) for (const item of list) push(item);
  // Whatever belongs to an account that cannot be carried cannot be carried either.
  const refused = new Set(items.filter((item) => item.kind === 'organization' && item.reason).map((item) => item.account));
  return items.map((item) => (item.kind !== 'organization' && refused.has(item.account) && !item.reason ? { ...item, reason: 'account_not_carried' } : item));
}

/** `<login>_<suffix>` → the suffix under Ruche's prefix; a database named like the account gets `fallback`. */
function shortNameOf(name: string, login: string, prefix: string, fallback: string): { shortName: string | null; renamed: boolean } {
  const suffix = name === login ? fallback : name.startsWith(`${login}_`) ? name.slice(login.length + 1) : null;
  if (!suffix || !/^[a-z][a-z0-9_]{0,15}$/.test(suffix) || `${prefix}_${suffix}`.length > 32) return { shortName: null, renamed: false };
  return { shortName: suffix, renamed: `${prefix}_${suffix}` !== name };
}

export { accountRoot };

export interface PlanChoice {
  id: string;
  active: boolean;
  quotas: Readonly<Record<string, number>>;
}

/**
 * The nearest plan for what an account needs: the one short on the fewest meters, then the
 * smallest (least room in all); the meters it is short on become quota overrides.
 */
export function nearestPlan<P extends PlanChoice>(needs: Readonly<Record<string, number>>, plans: readonly P[]): { plan: P | null; overrides: Record<string, number> } {
  const shortOf = (plan: P) => Object.entries(needs).filter(([meter, need]) => (plan.quotas[meter] ?? 0) < need);
  const size = (plan: P) => Object.keys(needs).reduce((sum, meter) => sum + (plan.quotas[meter] ?? 0), 0);
  const ranked = plans.filter((plan) => plan.active).sort((a, b) => shortOf(a).length - shortOf(b).length || size(a) - size(b));
  const plan = ranked[0] ?? null;
  return { plan, overrides: Object.fromEntries(plan ? shortOf(plan) : Object.entries(needs)) };
}
