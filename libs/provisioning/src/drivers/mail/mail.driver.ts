import { Inject, Injectable, Optional } from '@nestjs/common';
import { LOGGER, type Config, type Logger } from '@ruche/core';
import {
  ArchivesService,
  DKIM_SELECTOR,
  DesiredStateReader,
  publicKeyOf,
  ResourceOutcomes,
  type DesiredMail,
  type DesiredMailbox,
  type ResourceState,
  type ResourceType,
  type RestoreFrom,
  type Server,
} from '@ruche/hosting';
import { CommandFailed, type CommandResult, type ServerConnection } from '../../transports/connection.js';
import { PROVISIONING_SETTINGS, type ProvisioningSettings } from '../../provisioning.settings.js';
import {
  MANAGED_HEADER,
  RENDER_TEST_HOOK,
  renderEach,
  withoutReleasePath,
  type Activation,
  type ActivationChange,
  type CheckVerdict,
  type FileDriver,
  type ReleaseCheck,
  type Rendered,
  type RenderedUnit,
  type RenderTestHook,
} from '../driver.js';
import { Driver } from '../driver-registry.js';
import { ACTIVATE, ARCHIVE, CHECK, MAIL_STATE, MEASURE, RESTORE } from './mail-scripts.js';
import { aliasFragment, domainsMap, mailboxFragment, mailboxHome, mailDomain, UnsafeMapEntry } from './postfix-maps.js';

const LIVE = '/etc/ruche/mail';
const RELEASES = '/etc/ruche/mail.releases';

/** What activation needs of a unit. */
type UnitData = { kind: 'mailbox'; id: string; address: string; quotaMb: number } | { kind: 'alias'; id: string; address: string };

/** What a run of one server needs between its load and its activation (runs of one server never overlap). */
interface Loaded {
  deleting: DesiredMailbox[];
  restores: Map<string, RestoreFrom>;
}

/**
 * The mail driver, for Postfix, Dovecot and OpenDKIM as `ruche-mail-setup` leaves them. Each
 * mailbox and alias has one small file in Ruche's tree (`mailboxes/<id>`, `aliases/<id>`: the
 * lines it adds to each map), so a resource refused by a checker keeps its last good lines;
 * the domain list and the DKIM tables and keys are rendered whole. The check assembles the
 * maps from the staged release and reads them with the daemons' own tools; the activation
 * serves the live release's maps, reloads Postfix, Dovecot and OpenDKIM once and waits until
 * they serve them. Deleted mailboxes are archived (their maildir, compressed, under the archive
 * folder) and recorded before their folder goes; restored ones get their maildir back first.
 */
@Injectable()
@Driver()
export class MailDriver implements FileDriver {
  readonly kind = 'file' as const;
  readonly service = 'mail' as const;
  readonly resourceTypes: ResourceType[] = ['mailbox', 'mail_alias'];
  readonly liveLink = LIVE;
  readonly releasesDir = RELEASES;
  private readonly loaded = new Map<string, Loaded>();

  constructor(
    private readonly desired: DesiredStateReader,
    private readonly outcomes: ResourceOutcomes,
    private readonly archives: ArchivesService,
    @Inject(PROVISIONING_SETTINGS.token) private readonly settings: ProvisioningSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(RENDER_TEST_HOOK) private readonly testHook?: RenderTestHook,
  ) {}

  async load(server: Server, _config: Config) {
    const mail = await this.desired.mail(server.id);
    const live = mail.mailboxes.filter((mailbox) => mailbox.state.phase !== 'deleting');
    this.loaded.set(server.id, {
      deleting: mail.mailboxes.filter((mailbox) => mailbox.state.phase === 'deleting'),
      restores: await this.archives.restoreFor(live.map((mailbox) => mailbox.state.id)),
    });
    const refuses = (error: unknown): error is UnsafeMapEntry => error instanceof UnsafeMapEntry;
    const render = (): Rendered => {
      const mailboxes = renderEach(mail.mailboxes, {
        place: (mailbox) => ({
          path: `mailboxes/${mailbox.state.id}`,
          data: { kind: 'mailbox', id: mailbox.state.id, address: mailbox.address, quotaMb: mailbox.quotaMb } satisfies UnitData,
        }),
        text: (mailbox) => mailboxFragment({ id: mailbox.state.id, address: mailbox.address, passwordHash: mailbox.passwordHash, quotaMb: mailbox.quotaMb, forwards: mailbox.forwards }),
        refuses,
        testHook: this.testHook,
      });
      const aliases = renderEach(mail.aliases, {
        place: (alias) => ({ path: `aliases/${alias.state.id}`, data: { kind: 'alias', id: alias.state.id, address: alias.address } satisfies UnitData }),
        text: (alias) => aliasFragment(alias),
        refuses,
        testHook: this.testHook,
      });
      const shared = this.sharedFiles(mail);
      return { units: [...mailboxes.units, ...aliases.units], shared: () => shared, refused: [...mailboxes.refused, ...aliases.refused] };
    };
    return { resources: [...mail.mailboxes.map((mailbox) => mailbox.state), ...mail.aliases.map((alias) => alias.state)], render };
  }

  /**
   * The domains Postfix takes mail for, and OpenDKIM's tables and keys: a domain signs with
   * its key once it has one. A key Ruche cannot read back is left out (its domain's mail goes
   * unsigned) and said in the log; it never stops the other domains.
   */
  private sharedFiles(mail: DesiredMail): Map<string, string> {
    const files = new Map<string, string>();
    const domains: string[] = [];
    const keys: string[] = [];
    const signing: string[] = [];
    for (const domain of mail.domains) {
      let name: string;
      try {
        name = mailDomain(domain.name);
      } catch (error) {
        if (error instanceof UnsafeMapEntry) continue;
        throw error;
      }
      domains.push(name);
      if (!domain.dkim) continue;
      try {
        if (!DKIM_SELECTOR.test(domain.dkim.selector)) throw new Error(`selector ${JSON.stringify(domain.dkim.selector)} is not valid`);
        publicKeyOf(domain.dkim.privateKeyPem);
      } catch (error) {
        this.logger.error({ domain: name, err: error }, 'DKIM key left out: it cannot be read');
        continue;
      }
      files.set(`dkim/keys/${name}.private`, domain.dkim.privateKeyPem.endsWith('\n') ? domain.dkim.privateKeyPem : `${domain.dkim.privateKeyPem}\n`);
      keys.push(`${name} ${name}:${domain.dkim.selector}:${LIVE}/dkim/keys/${name}.private`);
      signing.push(`*@${name} ${name}`);
    }
    files.set('domains', domainsMap(domains));
    files.set('dkim/keytable', [`# ${MANAGED_HEADER}`, ...keys, ''].join('\n'));
    files.set('dkim/signingtable', [`# ${MANAGED_HEADER}`, ...signing, ''].join('\n'));
    return files;
  }

  async prepare(connection: ServerConnection): Promise<void> {
    // Password hashes are read by root and Dovecot only; the releases also by OpenDKIM, for the DKIM keys.
    await connection.run(
      ['sh', '-c', 'mkdir -p -- "$1" "$2/built" && chown root:opendkim "$1" && chmod 0750 "$1" && chown root:dovecot "$2" "$2/built" && chmod 0750 "$2" "$2/built"', 'ruche-mail-prepare', RELEASES, MAIL_STATE],
    );
    if (!connection.runsCommands) return;
    // The server must be set up for Ruche (ruche-mail-setup): say so plainly rather than fail later.
    // (Its queue side and each of its smtpd services read the maps through links of their own: see ACTIVATE.)
    const argv = ['sh', '-c', 'postconf -h virtual_mailbox_maps; for s in $(postconf -M | awk \'$8 == "smtpd" { print $1 "/" $2 }\'); do v=$(postconf -Ph "$s/virtual_mailbox_maps" 2>/dev/null); echo "$s ${v:-unset}"; done'];
    const setUp = await connection.run(argv, { allowFailure: true });
    const [queueSide, ...smtpd] = setUp.stdout.trim().split('\n');
    if (queueSide !== `texthash:${MAIL_STATE}/postfix/mailboxes` || smtpd.length === 0 || smtpd.some((line) => !line.endsWith(` texthash:${MAIL_STATE}/smtpd/mailboxes`))) {
      const stderr = `Postfix is not set up for Ruche's mail (run ruche-mail-setup): virtual_mailbox_maps is ${JSON.stringify(setUp.stdout.trim().replace(/\n/g, ', '))}`;
      throw new CommandFailed(argv, { exitCode: setUp.exitCode || 1, stdout: '', stderr });
    }
    // The daemons' own checks of their whole configuration (seconds for Postfix's: here, not at every release).
    await connection.run(['sh', '-c', 'postfix check && opendkim -n -x /etc/opendkim.conf']);
  }

  /**
   * Before the release is checked: each mailbox being deleted is archived (its maildir,
   * compressed) and recorded, while its row is still there; each mailbox made again from an
   * archive gets its maildir back. Both run again if this run does not finish (a record is
   * replaced, an extraction is repeated over the same files).
   */
  async beforeCheck(connection: ServerConnection, changed: RenderedUnit[]): Promise<void> {
    const loaded = this.loaded.get(connection.server.id);
    if (!loaded) return;
    if (loaded.deleting.length > 0) {
      const items = loaded.deleting.map((mailbox) => ({ mailbox, home: mailboxHome(mailbox.state.id), archive: this.archivePath(mailbox.state.id) }));
      const result = connection.runsCommands
        ? await connection.run(['sh', '-c', ARCHIVE, 'ruche-mail-archive'], { input: items.map((item) => `${item.home} ${item.archive}\n`).join(''), timeoutMs: 600_000 })
        : { exitCode: 0, stdout: items.map(() => '0\n').join(''), stderr: '' };
      const sizes = result.stdout.split('\n').filter((line) => line !== '');
      if (sizes.length !== items.length || sizes.some((size) => !/^\d+$/.test(size))) throw new Error(`unexpected archive output: ${result.stdout.slice(0, 200)}`);
      for (const [index, item] of items.entries()) {
        await this.archives.recordArchive({ type: 'mailbox', id: item.mailbox.state.id, path: item.archive, sizeBytes: Number(sizes[index]) });
      }
    }
    const restoring = changed
      .map((unit) => unit.data as UnitData)
      .filter((data) => data.kind === 'mailbox' && loaded.restores.has(data.id))
      .map((data) => ({ id: data.id, home: mailboxHome(data.id), from: loaded.restores.get(data.id)! }));
    if (restoring.length > 0 && connection.runsCommands) {
      const result = await connection.run(['sh', '-c', RESTORE, 'ruche-mail-restore'], { input: restoring.map((item) => `${item.home} ${item.from.path}\n`).join(''), timeoutMs: 600_000 });
      const lines = result.stdout.split('\n').filter((line) => line !== '');
      for (const [index, item] of restoring.entries()) {
        if (lines[index] === 'restored') await this.archives.restored(item.from.archiveId);
        else this.logger.error({ server: connection.server.name, archive: item.from.archiveId }, 'archive file missing: the mailbox is made again empty');
      }
    }
  }

  private archivePath(mailboxId: string): string {
    return `${this.settings.archiveDir}/mail/${mailboxHome(mailboxId).split('/').pop()}.tar.gz`;
  }

  check(release: string): ReleaseCheck {
    const name = release.split('/').pop()!;
    return { files: new Map(), argv: ['sh', '-c', CHECK, 'ruche-mail-check', release, `${MAIL_STATE}/built/${name}`] };
  }

  verdict(result: CommandResult, units: RenderedUnit[]): CheckVerdict {
    const byResource = new Map<string, string>();
    if (result.exitCode === 0) return { byResource, general: null };
    const ids = new Set(units.map((unit) => unit.resource.id));
    for (const line of result.stdout.split('\n')) {
      const match = /^ruche-refused ([0-9a-f-]{36}) (.*)$/.exec(line);
      if (match && ids.has(match[1]!) && !byResource.has(match[1]!)) byResource.set(match[1]!, withoutReleasePath(match[2]!, RELEASES));
    }
    const general = result.stderr.trim();
    return { byResource, general: byResource.size === 0 || general !== '' ? general || result.stdout.trim() || `the mail check exited with ${result.exitCode}` : null };
  }

  /**
   * One reload of each daemon; Dovecot must then answer for the first changed mailbox with its
   * new quota (or no longer know the first removed one). Removed mailboxes' folders go after.
   */
  activation(change: ActivationChange): Activation {
    const probe = change.changed.map((unit) => unit.data as UnitData).find((data) => data.kind === 'mailbox');
    const removedMailboxes = change.removed.filter((resource: ResourceState) => resource.type === 'mailbox');
    const removedProbe = probe ? '' : (removedMailboxes[0]?.label ?? '');
    return {
      argv: ['sh', '-c', ACTIVATE, 'ruche-mail-activate', probe?.address ?? '', probe ? `*:storage=${probe.quotaMb}M` : '', removedProbe],
      input: removedMailboxes.map((resource) => `${mailboxHome(resource.id)} ${this.archivePath(resource.id)}\n`).join(''),
    };
  }

  /** Mail storage: `du` of each mailbox's folder, in one round trip, into `used_bytes`. */
  async measure(server: Server, connection: ServerConnection): Promise<number> {
    const mailboxes = (await this.desired.mail(server.id)).mailboxes.filter((mailbox) => mailbox.state.phase !== 'deleting');
    if (mailboxes.length === 0) return 0;
    const homes = mailboxes.map((mailbox) => mailboxHome(mailbox.state.id));
    const result = await connection.run(['sh', '-c', MEASURE, 'ruche-mail-usage'], { input: homes.map((home) => `${home}\n`).join(''), timeoutMs: 600_000 });
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    if (lines.length !== homes.length || lines.some((line) => !/^\d+$/.test(line))) throw new Error(`unexpected du output: ${result.stdout.slice(0, 200)}`);
    await this.outcomes.recordStorage('mailbox', mailboxes.map((mailbox, index) => ({ id: mailbox.state.id, bytes: Number(lines[index]) })));
    return mailboxes.length;
  }
}
