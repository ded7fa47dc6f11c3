import { Inject, Injectable } from '@nestjs/common';
import {
  assertStaffScope,
  CONFIG,
  DomainError,
  I18nService,
  invalidFields,
  newId,
  NotFound,
  OrganizationsService,
  QueueService,
  RequestContext,
  requireActor,
  SecretBox,
  TransactionalConnection,
  UsersService,
  defineJob,
  JobHandler,
  type Config,
  type JobPayload,
} from '@ruche/core';
import {
  DatabasesService,
  DnsRecordsService,
  DomainsService,
  MailService,
  parseDomainName,
  parseLocalAddress,
  PlansService,
  prefixFromName,
  ResourceSearchService,
  ServersService,
  SitesService,
  type Server,
} from '@ruche/hosting';
import { ConnectionPool } from '@ruche/provisioning';
import { z } from 'zod';
import { readAlterncDatabase, AlterncUnreachable } from '../alternc/alternc-reader.js';
import { ITEM_KINDS, nearestPlan, planAlterncImport, type ItemKind, type MailboxSpec, type PlannedItem } from '../alternc/alternc-plan.js';
import { accountRoot, ZONE_FILE_DIR, type AlterncSnapshot } from '../alternc/alternc-snapshot.js';
import { DELIVER_QUEUED, MAIL_DOMAIN } from '../transfer/mail-hold.js';
import { MAILDIR_INTO_LIVE_EXCLUDE, maildirMessage, rescanMailboxes } from '../transfer/maildir.js';
import { ServerTransfer } from '../transfer/server-transfer.js';
import { importActor } from './import-actor.js';
import { Import } from './import.entity.js';
import { ImportItem } from './import-item.entity.js';
import type { CreateImport, ImportDto } from './import.schemas.js';

/** Runs (or resumes) one import; it enqueues itself again while what it made is being applied. */
/** AlternC's database user names (`<login>_<name>`, `<uid>_myadm`): nothing else is locked. */
const DATABASE_USER = /^[a-z0-9_]{1,64}$/;

/** Standard input: a query whose rows are the ALTER USER statements to run. */
const LOCK_DATABASE_USERS = `set -e
statements=$(mariadb --batch --skip-column-names)
[ -z "$statements" ] || printf '%s\\n' "$statements" | mariadb --batch`;

/**
 * Standard input: the domains, one per line (an AlternC server's thousands outgrow a command
 * line). Postfix (when it runs) answers 450 for them from its relay restrictions, which come
 * first, then its queue is delivered until nothing waits for them.
 */
const HOLD_ALTERNC_MAIL = `set -e
waiting=$(mktemp); trap 'rm -f -- "$waiting"' EXIT
cat > "$waiting"
command -v postconf > /dev/null && postfix status > /dev/null 2>&1 || exit 0
map=/etc/postfix/ruche-import-hold
touch "$map"
# The domains not held yet (whole lines, fixed strings), at the end of the map.
sed 's/$/ 450 4.2.1 This mailbox is moving: try again shortly/' "$waiting" | { grep -vxF -f "$map" || :; } >> "$map"
current=$(postconf -h smtpd_relay_restrictions 2> /dev/null) || current='permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination'
case "$current" in *ruche-import-hold*) ;; *) postconf -e "smtpd_relay_restrictions = check_recipient_access texthash:$map \${current}" ;; esac
postfix reload > /dev/null 2>&1
${DELIVER_QUEUED}
deliver_queued "$waiting"`;

export const RUN_IMPORT_JOB = defineJob('moving:run-import', z.strictObject({ importId: z.uuid() }));

/** Kinds whose resources are applied on servers (an import waits for them before copying data). */
const APPLIED: readonly ItemKind[] = ['domain', 'site', 'mailbox', 'mail_alias', 'database', 'database_user'];
const KIND_ORDER = new Map(ITEM_KINDS.map((kind, index) => [kind, index]));
const WAIT_SECONDS = 2;
/** Copies run at once towards one server. */
const COPY_CONCURRENCY = 4;

/**
 * Imports from an AlternC server: reads its panel database (read only) and zone files, makes
 * the organisations and their resources through hosting's services (access, quotas and
 * validation as through the API), waits until servers applied them, then has the new servers
 * pull the data (web files, maildirs, database dumps) straight from the AlternC server.
 * Every item is remembered per source server, so running again resumes and never doubles.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly i18n: I18nService,
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
    private readonly servers: ServersService,
    private readonly pool: ConnectionPool,
    private readonly transfer: ServerTransfer,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly plans: PlansService,
    private readonly domains: DomainsService,
    private readonly records: DnsRecordsService,
    private readonly sites: SitesService,
    private readonly mail: MailService,
    private readonly databases: DatabasesService,
    private readonly search: ResourceSearchService,
  ) {}

  // --- asking ------------------------------------------------------------------------------

  async request(input: CreateImport & { dryRun: boolean }): Promise<ImportDto> {
    assertStaffScope('provisioning:admin');
    const source = await this.sourceServer(input.fromServerId);
    const snapshot = await this.snapshot(source, input.databaseUrl);
    const known = new Set(snapshot.accounts.map((account) => account.login));
    const unknown = input.accounts.filter((login) => !known.has(login));
    if (unknown.length > 0) throw invalidFields({ field: 'accounts', code: 'alternc_account_unknown' });
    const planned = await this.plan(source, snapshot, input.accounts);
    if (input.dryRun) {
      const done = await this.carried(source.id);
      return {
        id: null,
        dryRun: true,
        final: input.final,
        lockedAt: null,
        status: 'planned',
        step: null,
        sourceServerId: source.id,
        accounts: input.accounts,
        itemsTotal: planned.length,
        itemsDone: 0,
        itemsFailed: 0,
        lastError: null,
        createdAt: null,
        finishedAt: null,
        items: planned.map((item) => {
          const previous = done.get(item.key);
          const outcome = item.reason ? 'cannot_carry' : previous?.status === 'done' ? 'already_imported' : 'create';
          return { kind: item.kind, key: item.key, account: item.account, outcome, reason: item.reason, message: this.reasonMessage(item.reason), note: item.note, targetId: previous?.targetId ?? null };
        }),
      };
    }
    const row = this.db.getRepository(Import).create({
      id: newId(),
      sourceServerId: source.id,
      databaseUrlSealed: this.secrets.seal(input.databaseUrl),
      peerHost: input.peerAddress ?? source.publicIpv4 ?? source.address,
      peerPort: input.peerPort ?? 22,
      accounts: input.accounts,
      final: input.final,
      lockedAt: null,
      status: 'queued',
      step: 'resources',
      itemsTotal: planned.length,
      requestedBy: requireActor().userId,
      finishedAt: null,
      lastError: null,
    });
    await this.db.getRepository(Import).insert(row);
    await this.queue.enqueue(RUN_IMPORT_JOB, { importId: row.id }, { jobKey: `moving-import-${row.id}`, maxAttempts: 1 });
    return this.get(row.id);
  }

  async get(id: string): Promise<ImportDto> {
    assertStaffScope('provisioning:admin');
    const row = await this.db.getRepository(Import).findOneBy({ id });
    if (!row) throw new NotFound();
    const items = await this.db.getRepository(ImportItem).findBy({ importId: id });
    items.sort((a, b) => (KIND_ORDER.get(a.kind as ItemKind)! - KIND_ORDER.get(b.kind as ItemKind)!) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return {
      id: row.id,
      dryRun: false,
      final: row.final,
      lockedAt: row.lockedAt?.toISOString() ?? null,
      status: row.status,
      step: row.step,
      sourceServerId: row.sourceServerId,
      accounts: row.accounts,
      itemsTotal: row.itemsTotal,
      itemsDone: row.itemsDone,
      itemsFailed: row.itemsFailed,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      items: items.map((item) => ({
        kind: item.kind as ItemKind,
        key: item.key,
        account: item.account,
        outcome: item.status === 'skipped' ? 'cannot_carry' : item.status === 'failed' ? 'failed' : item.carriedBy === id ? 'done' : 'already_imported',
        reason: item.reason,
        message: this.reasonMessage(item.reason),
        note: item.note,
        targetId: item.targetId,
      })),
    };
  }

  private reasonMessage(reason: string | null): string | null {
    if (!reason) return null;
    for (const key of [`moving.reasons.${reason}`, `validation.${reason}`, `errors.${reason}`, `validation.${reason.replace(/^(record|domain|hostname|address)_/, '')}`]) {
      if (this.i18n.has(key)) return this.i18n.t(key, { name: '', hostname: '', address: '' });
    }
    return this.i18n.t('moving.reasons.other', { reason });
  }

  private async sourceServer(id: string): Promise<Server> {
    const source = await this.servers.byId(id);
    if (!source) throw invalidFields({ field: 'fromServerId', code: 'import_source_unknown' });
    if (source.status === 'active') throw invalidFields({ field: 'fromServerId', code: 'import_source_active' });
    return source;
  }

  /** The AlternC panel database, and each domain's hand-made records from its zone file. */
  private async snapshot(source: Server, databaseUrl: string): Promise<AlterncSnapshot> {
    let database: Awaited<ReturnType<typeof readAlterncDatabase>>;
    try {
      database = await readAlterncDatabase(databaseUrl);
    } catch (error) {
      if (error instanceof AlterncUnreachable) throw invalidFields({ field: 'databaseUrl', code: 'alternc_unreachable' });
      throw error;
    }
    const names = database.domains.map((domain) => domain.name).filter((name) => /^[a-z0-9.-]{1,253}$/i.test(name) && !name.includes('..') && !name.startsWith('.'));
    const zones = new Map<string, string>();
    if (names.length > 0) {
      const connection = await this.pool.get(source);
      // The names on standard input: an AlternC server's thousands outgrow one command line.
      const read = await connection.run(['sh', '-c', 'dir=$1; while IFS= read -r d; do printf "\\036%s\\n" "$d"; if [ -e "$dir/$d" ]; then cat -- "$dir/$d" || exit 1; fi; done', 'ruche-read-zones', ZONE_FILE_DIR], {
        input: names.map((name) => `${name}\n`).join(''),
        timeoutMs: 120_000,
      });
      for (const part of read.stdout.split('\u001e').slice(1)) {
        const newline = part.indexOf('\n');
        zones.set(part.slice(0, newline), part.slice(newline + 1));
      }
    }
    return { ...database, domains: database.domains.map((domain) => ({ ...domain, zoneExtra: zones.get(domain.name) ?? '' })) };
  }

  private async plan(source: Server, snapshot: AlterncSnapshot, accounts: readonly string[]): Promise<PlannedItem[]> {
    const done = await this.carried(source.id);
    const prefixes = new Map<string, string>();
    for (const [key, item] of done) {
      if (item.kind === 'organization' && item.status === 'done' && item.targetId) prefixes.set(key.slice('organization:'.length), await this.plans.prefixOf(item.targetId));
    }
    const web = (await this.servers.withStatus(['active'])).find((server) => server.services.includes('web'));
    return planAlterncImport(snapshot, { accounts, webIpv4: web?.publicIpv4 ?? null, prefixOf: (login) => prefixes.get(login) ?? prefixFromName(login) });
  }

  /** What earlier imports from this server did, by item key. */
  private async carried(sourceServerId: string): Promise<Map<string, ImportItem>> {
    const rows = await this.db.getRepository(ImportItem).findBy({ sourceServerId });
    return new Map(rows.map((row) => [row.key, row]));
  }

  // --- running -----------------------------------------------------------------------------

  @JobHandler(RUN_IMPORT_JOB)
  async runJob(payload: JobPayload<typeof RUN_IMPORT_JOB>): Promise<void> {
    const row = await this.db.getRepository(Import).findOneBy({ id: payload.importId });
    if (!row || row.status === 'done' || row.status === 'failed') return;
    const context = RequestContext.current();
    await RequestContext.run({ requestId: context?.requestId ?? `import-${row.id}`, ip: null, headerLocale: null, actor: importActor(row.requestedBy) }, async () => {
      try {
        await this.run(row);
      } catch (error) {
        const message = error instanceof DomainError ? error.code : (error as Error).message;
        await this.db.getRepository(Import).update({ id: row.id }, { status: 'failed', lastError: message.slice(0, 2000), finishedAt: new Date() });
        throw error;
      }
    });
  }

  private async run(row: Import): Promise<void> {
    const imports = this.db.getRepository(Import);
    await imports.update({ id: row.id }, { status: 'running' });
    const source = await this.servers.byId(row.sourceServerId);
    if (!source) throw new Error('the AlternC server is no longer registered');
    const snapshot = await this.snapshot(source, this.secrets.open(row.databaseUrlSealed));
    let planned = await this.plan(source, snapshot, row.accounts);

    if (row.step === 'resources') {
      // Organisations first: their name prefixes decide the databases' names, planned again after.
      for (const item of planned.filter((entry) => entry.kind === 'organization')) await this.carry(row, item);
      planned = await this.plan(source, snapshot, row.accounts);
      for (const item of planned.filter((entry) => entry.kind !== 'organization')) await this.carry(row, item);
      await imports.update({ id: row.id }, { step: 'waiting', itemsTotal: planned.length });
      row.step = 'waiting';
    }

    const items = await this.carried(source.id);
    const mine = planned.map((item) => ({ planned: item, row: items.get(item.key) })).filter((entry) => entry.row?.status === 'done' && entry.row.targetId);
    const phases = await this.search.phases(mine.filter((entry) => APPLIED.includes(entry.planned.kind)).map((entry) => entry.row!.targetId!));
    if (row.step === 'waiting') {
      const busy = [...phases.values()].filter((phase) => phase.phase === 'pending' || phase.phase === 'applying');
      if (busy.length > 0) {
        await this.queue.enqueue(RUN_IMPORT_JOB, { importId: row.id }, { runAt: new Date(Date.now() + WAIT_SECONDS * 1000), maxAttempts: 1 });
        return;
      }
      await imports.update({ id: row.id }, { step: 'copying' });
      row.step = 'copying';
    }

    if (row.step === 'copying') {
      // The last pass: nothing changes on the AlternC side from here (run again, it locks again).
      if (row.final) {
        await this.lockAccounts(source, snapshot, planned);
        if (!row.lockedAt) await imports.update({ id: row.id }, { lockedAt: new Date() });
      }
      await this.copyData(row, source, mine.map((entry) => ({ planned: entry.planned, targetId: entry.row!.targetId! })), phases);
      await imports.update({ id: row.id }, { step: 'finished' });
    }
    const counts = await this.db.query<{ done: string; failed: string }>(
      `SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) FILTER (WHERE status = 'failed') AS failed FROM moving_import_items WHERE import_id = $1`,
      [row.id],
    );
    await imports.update({ id: row.id }, { status: 'done', step: 'finished', finishedAt: new Date(), itemsDone: Number(counts[0]?.done ?? 0), itemsFailed: Number(counts[0]?.failed ?? 0) });
  }

  /**
   * Locks the carried accounts on the AlternC server before the last copy: their database
   * users (every host they are declared for) are locked and their sessions ended, and its
   * Postfix answers 450 (try again later) for their mail domains, then delivers what it already
   * queued for them, so the maildirs and dumps copied next are final. Web files are copied as
   * they are: AlternC's FTP accounts live in its panel database, which Ruche only reads.
   */
  private async lockAccounts(source: Server, snapshot: AlterncSnapshot, planned: PlannedItem[]): Promise<void> {
    const carried = new Set(planned.filter((item) => item.kind === 'organization' && !item.reason).map((item) => item.account));
    const uids = new Set(snapshot.accounts.filter((account) => carried.has(account.login)).map((account) => account.uid));
    const users = snapshot.databaseUsers.filter((user) => uids.has(user.uid) && DATABASE_USER.test(user.name)).map((user) => user.name);
    const domains = snapshot.domains.filter((domain) => uids.has(domain.uid) && domain.mailManaged && MAIL_DOMAIN.test(domain.name)).map((domain) => domain.name);
    const connection = await this.pool.get(source);
    if (users.length > 0) {
      // Names checked above (letters, digits, _): they go into the statements quoted.
      const list = users.map((name) => `'${name}'`).join(', ');
      await connection.run(['sh', '-c', LOCK_DATABASE_USERS, 'ruche-import-lock-users'], { input: `SELECT CONCAT('ALTER USER ', QUOTE(User), '@', QUOTE(Host), ' ACCOUNT LOCK;') FROM mysql.user WHERE User IN (${list});\n`, timeoutMs: 120_000 });
      await connection.run(['mariadb', '--batch'], { input: users.map((name) => `KILL USER '${name}';\n`).join(''), timeoutMs: 120_000, allowFailure: true });
    }
    if (domains.length > 0) await connection.run(['sh', '-c', HOLD_ALTERNC_MAIL, 'ruche-import-hold-mail'], { input: domains.map((name) => `${name}\n`).join(''), timeoutMs: 660_000 });
  }

  /** One item: made in its own transaction with its record, or its failure recorded. */
  private async carry(row: Import, item: PlannedItem): Promise<void> {
    const items = this.db.getRepository(ImportItem);
    const existing = await items.findOneBy({ sourceServerId: row.sourceServerId, key: item.key });
    const record = async (fields: Partial<ImportItem>) => {
      await items.upsert(
        {
          id: existing?.id ?? newId(),
          sourceServerId: row.sourceServerId,
          key: item.key,
          kind: item.kind,
          account: item.account,
          importId: row.id,
          note: item.note,
          status: 'done',
          targetId: existing?.targetId ?? null,
          reason: null,
          carriedBy: existing?.carriedBy ?? null,
          ...fields,
        },
        ['sourceServerId', 'key'],
      );
    };
    if (existing?.status === 'done') {
      await record({});
      await this.progress(row);
      return;
    }
    if (item.reason) {
      await record({ status: 'skipped', reason: item.reason });
      return;
    }
    try {
      await this.db.withTransaction(async () => {
        // Two runs of one import (a crashed worker's job let go, and the run started again)
        // take each item in turn: the second finds it done.
        await this.db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`moving:${row.sourceServerId}:${item.key}`]);
        const now = await items.findOneBy({ sourceServerId: row.sourceServerId, key: item.key });
        if (now?.status === 'done') return;
        const targetId = await this.make(row, item);
        await record({ status: 'done', targetId, carriedBy: row.id });
      });
      await this.progress(row);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const detail = (error.details as Array<{ code?: string }> | undefined)?.[0]?.code;
      const now = await items.findOneBy({ sourceServerId: row.sourceServerId, key: item.key });
      if (now?.status !== 'done') await record({ status: 'failed', reason: detail ?? error.code });
    }
  }

  private async progress(row: Import): Promise<void> {
    await this.db.query(`UPDATE moving_imports SET items_done = items_done + 1, updated_at = now() WHERE id = $1`, [row.id]);
  }

  /** Where an earlier item went (the organisation of an account, the domain of a zone…). */
  private async targetOf(row: Import, key: string): Promise<string> {
    const found = await this.db.getRepository(ImportItem).findOneBy({ sourceServerId: row.sourceServerId, key });
    if (!found?.targetId || found.status !== 'done') throw new DomainError('import_dependency_missing', 422, { key });
    return found.targetId;
  }

  private async make(row: Import, item: PlannedItem): Promise<string> {
    const organizationId = item.kind === 'organization' ? '' : await this.targetOf(row, `organization:${item.account}`);
    switch (item.kind) {
      case 'organization': {
        const spec = item.spec;
        const organization = await this.organizations.create({ name: spec.name, locale: this.config.defaultLocale });
        await this.users.adopt({ email: spec.email, displayName: spec.displayName, passwordHash: spec.passwordHash || null });
        await this.organizations.invite(organization.id, { email: spec.email, role: 'owner' });
        // The nearest plan, and overrides for what it is short of.
        const plans = await Promise.all((await this.plans.list()).map((plan) => this.plans.toDto(plan)));
        const { plan, overrides } = nearestPlan(spec.quotas, plans);
        if (plan) await this.plans.subscribe(organization.id, plan.id);
        if (Object.keys(overrides).length > 0) await this.plans.setQuotaOverrides(organization.id, overrides as never);
        return organization.id;
      }
      case 'domain':
        return (await this.domains.create({ organizationId, name: parseDomainName(item.spec.name), mailEnabled: item.spec.mailEnabled })).id;
      case 'dns_record': {
        const domainId = await this.targetOf(row, `domain:${item.spec.domain}`);
        const { type, name, value, ttl, priority } = item.spec;
        return (await this.records.create(domainId, { type, name, value, ttl, priority: priority ?? null })).id;
      }
      case 'site':
        return (await this.sites.create({ organizationId, hostnames: item.spec.hostnames, documentRoot: item.spec.documentRoot, redirectTo: item.spec.redirectTo, https: item.spec.https })).id;
      case 'mailbox':
        return (await this.mail.createMailbox({ organizationId, address: parseLocalAddress(item.spec.address), passwordHash: item.spec.passwordHash, quotaMb: item.spec.quotaMb, forwards: item.spec.forwards })).id;
      case 'mail_alias':
        return (await this.mail.createAlias({ organizationId, address: parseLocalAddress(item.spec.address, { allowCatchAll: true }), destinations: item.spec.destinations })).id;
      case 'database':
        return (await this.databases.createDatabase({ organizationId, engine: 'mariadb', name: item.spec.shortName })).id;
      case 'database_user': {
        const databases = await this.databaseIds(row, item.account);
        const granted = item.spec.databases.flatMap((shortName) => (databases.has(shortName) ? [databases.get(shortName)!] : []));
        return (await this.databases.createUser({ organizationId, engine: 'mariadb', name: item.spec.shortName, password: item.spec.password, databases: granted })).user.id;
      }
      case 'ftp_account':
        // Never carried (its reason says so): the plan lists it for the SFTP work to come.
        throw new Error('an FTP account is not carried');
    }
  }

  /** The account's carried databases, by short name. */
  private async databaseIds(row: Import, account: string): Promise<Map<string, string>> {
    const rows = await this.db.getRepository(ImportItem).findBy({ sourceServerId: row.sourceServerId, account, kind: 'database', status: 'done' });
    const byShortName = new Map<string, string>();
    for (const item of rows) {
      if (!item.targetId) continue;
      const database = await this.databases.getDatabase(item.targetId);
      byShortName.set(database.name.slice(database.name.indexOf('_') + 1), item.targetId);
    }
    return byShortName;
  }

  // --- data --------------------------------------------------------------------------------

  /**
   * The data, pulled by each receiving server from the AlternC server: an account's web
   * space, each mailbox's maildir, each database's rows. rsync copies only what changed since
   * the last pass, and mirrors: until the final pass, the AlternC copy wins.
   */
  private async copyData(row: Import, source: Server, carried: Array<{ planned: PlannedItem; targetId: string }>, phases: Map<string, { serverId: string; phase: string }>): Promise<void> {
    type Task = (copy: import('../transfer/server-transfer.js').PeerCopy) => Promise<void>;
    const tasks = new Map<string, Task[]>();
    const add = (serverId: string, task: Task) => tasks.set(serverId, [...(tasks.get(serverId) ?? []), task]);
    const copied: string[] = [];
    const webSpaces = new Set<string>();
    const rescans = new Map<string, string[]>();
    for (const { planned, targetId } of carried) {
      const phase = phases.get(targetId);
      if (!phase || phase.phase !== 'ready') continue;
      if (planned.kind === 'site' && !webSpaces.has(`${phase.serverId}:${planned.account}`)) {
        webSpaces.add(`${phase.serverId}:${planned.account}`);
        const prefix = await this.plans.prefixOf(await this.targetOf(row, `organization:${planned.account}`));
        add(phase.serverId, (copy) => copy.mirror(accountRoot(planned.account), `/srv/ruche/${prefix}`, `ruche-${prefix}`));
      } else if (planned.kind === 'mailbox') {
        const home = (planned.spec as MailboxSpec).sourceMaildir.replace(/\/Maildir$/, '');
        if (row.final) {
          // Mail may reach Ruche already: nothing of it is deleted or hidden (Dovecot's files
          // stay Ruche's, a message already there under another name is not copied again).
          add(phase.serverId, (copy) => copy.copyNewer(home, `/var/mail/ruche/${targetId}`, 'vmail', null, { exclude: MAILDIR_INTO_LIVE_EXCLUDE, identity: maildirMessage }));
          rescans.set(phase.serverId, [...(rescans.get(phase.serverId) ?? []), (planned.spec as MailboxSpec).address]);
        } else {
          add(phase.serverId, (copy) => copy.mirror(home, `/var/mail/ruche/${targetId}`, 'vmail'));
        }
      } else if (planned.kind === 'database') {
        const database = await this.databases.getDatabase(targetId);
        add(phase.serverId, (copy) => copy.copyMariadb(planned.spec.sourceName as string, database.name));
      } else {
        continue;
      }
      copied.push(planned.key);
    }
    for (const [serverId, list] of tasks) {
      const target = await this.servers.byId(serverId);
      if (!target) continue;
      await this.transfer.between(source, target, { host: row.peerHost, port: row.peerPort }, `imp-${row.id.replace(/-/g, '')}-${serverId.replace(/-/g, '').slice(-12)}`, async (copy) => {
        // Several copies at once, each its own rsync over its own SSH channel: they wait on the
        // network and the disks more than on the CPU (sshd allows 10 sessions per connection).
        let next = 0;
        await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, list.length) }, async () => {
          while (next < list.length) await list[next++]!(copy);
        }));
      });
      await rescanMailboxes(await this.pool.get(target), rescans.get(serverId) ?? []);
    }
    if (copied.length > 0) await this.db.query(`UPDATE moving_import_items SET copied_at = now() WHERE source_server_id = $1 AND key = ANY($2::text[])`, [source.id, copied]);
  }
}
