import { Inject, Injectable } from '@nestjs/common';
import {
  assertStaffScope,
  defineJob,
  DomainError,
  I18nService,
  invalidFields,
  JobHandler,
  newId,
  NotFound,
  QueueService,
  RequestContext,
  requireActor,
  TransactionalConnection,
  type JobPayload,
} from '@ruche/core';
import { ArchivesService, ENGINES, ORGANIZATION_PREFIX, PlansService, reconcileJobKey, RelocationService, ResourceSearchService, ServersService, type Engine, type Server, type Service } from '@ruche/hosting';
import { ConnectionPool, DatabaseHandover, OperationsService, PROVISIONING_SETTINGS, type ProvisioningSettings } from '@ruche/provisioning';
import { z } from 'zod';
import { importActor } from '../imports/import-actor.js';
import { DELIVER_QUEUED, MAIL_DOMAIN } from '../transfer/mail-hold.js';
import { MAILDIR_INTO_LIVE_EXCLUDE, MAILDIR_TRANSIENT, maildirMessage, rescanMailboxes } from '../transfer/maildir.js';
import { ServerTransfer, type PeerEndpoint } from '../transfer/server-transfer.js';
import { Drain, Move } from './move.entity.js';
import type { CreateDrain, CreateMove } from './move.schemas.js';


export const RUN_MOVE_JOB = defineJob('moving:run-move', z.strictObject({ moveId: z.uuid() }));
export const RELEASE_MAIL_HOLD_JOB = defineJob(
  'moving:release-mail-hold',
  z.strictObject({ serverId: z.uuid(), domains: z.array(z.string().regex(MAIL_DOMAIN)).min(1).max(100_000) }),
);


const WAIT_SECONDS = 2;
const WEB_ROOT = '/srv/ruche';
const CERT_DIR = '/etc/ruche/certs';
const MAILDIR_ROOT = '/var/mail/ruche';
/** How long the old server keeps answering 450 after a move: the zones' default TTL, within which a sender with the old MX asks again. */
const MAIL_HOLD_AFTER_MOVE_SECONDS = 3600;
/** The old server's list of domains whose mail waits (ruche-mail-setup makes Postfix read it). */
const MOVING_LIST = '/var/lib/ruche/mail/moving';

/** Standard arguments: the list, `hold` or `release`, the domains (checked: no space, no quote). */
const HOLD_MAIL = `set -e; list=$1; action=$2; shift 2
exec 9>"$list.lock"; flock 9
[ -f "$list" ] || : > "$list"
awk -v drop="$*" 'BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) skip[d[i]] = 1 } !($1 in skip)' "$list" > "$list.new"
if [ "$action" = hold ]; then for domain; do printf '%s 450 4.2.1 This mailbox is moving to another server: try again shortly\\n' "$domain" >> "$list.new"; done; fi
chgrp --reference="$list" -- "$list.new"; chmod --reference="$list" -- "$list.new"
mv -f -- "$list.new" "$list"
postfix reload >/dev/null 2>&1
[ "$action" = hold ] || exit 0
${DELIVER_QUEUED}
waiting=$(mktemp); trap 'rm -f -- "$waiting"' EXIT
printf '%s\\n' "$@" > "$waiting"
deliver_queued "$waiting"`;

const engineOf = (service: string): Engine | null => ((ENGINES as readonly string[]).includes(service) ? (service as Engine) : null);

export type MoveDto = ReturnType<typeof toMoveDto>;

function toMoveDto(move: Move) {
  return {
    id: move.id,
    organizationId: move.organizationId,
    service: move.service,
    toServerId: move.toServerId,
    fromServerIds: move.fromServerIds,
    drainId: move.drainId,
    status: move.status,
    step: move.step,
    resources: move.resources,
    lastError: move.lastError,
    createdAt: move.createdAt.toISOString(),
    finishedAt: move.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Moves an organisation's resources of one service to another server: the new server copies
 * the data from the old one first (web spaces; zones have none), then desired state names the
 * new server (resources go pending, then applying there), then a second pass copies what
 * changed meanwhile, then the old copy is archived on the old server and removed. Each step is
 * recorded, so a move resumes where it stopped; a drain is one move per organisation and
 * service its server holds.
 */
@Injectable()
export class MovesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly queue: QueueService,
    private readonly i18n: I18nService,
    private readonly servers: ServersService,
    private readonly relocation: RelocationService,
    private readonly search: ResourceSearchService,
    private readonly plans: PlansService,
    private readonly transfer: ServerTransfer,
    private readonly pool: ConnectionPool,
    private readonly operations: OperationsService,
    private readonly archives: ArchivesService,
    private readonly handover: DatabaseHandover,
    @Inject(PROVISIONING_SETTINGS.token) private readonly provisioning: ProvisioningSettings,
  ) {}

  async requestMove(input: CreateMove, drainId: string | null = null): Promise<MoveDto> {
    assertStaffScope('provisioning:admin');
    const target = await this.servers.byId(input.toServerId);
    if (!target || !target.services.includes(input.service) || target.status !== 'active') throw invalidFields({ field: 'toServerId', code: 'server_unsuitable' });
    const resources = await this.relocation.resourcesOf(input.organizationId, input.service);
    const from = [...new Set(resources.filter((resource) => resource.serverId !== target.id && resource.phase !== 'deleting').map((resource) => resource.serverId))];
    const engine = engineOf(input.service);
    if (engine && from.length > 1) throw invalidFields({ field: 'organizationId', code: 'move_several_sources' });
    const move = this.db.getRepository(Move).create({
      id: newId(),
      organizationId: input.organizationId,
      service: input.service,
      toServerId: target.id,
      fromServerIds: from,
      peerHost: input.peerAddress ?? null,
      peerPort: input.peerPort ?? 22,
      drainId,
      status: 'queued',
      step: 'copying',
      resources: resources.length,
      lastError: null,
      requestedBy: requireActor().userId,
      finishedAt: null,
    });
    await this.db.getRepository(Move).insert(move);
    // A database move runs in the old server's reconcile queue for the engine until desired
    // state names the new server: no reconcile there puts back a user the move has let go.
    const queueName = engine && from[0] ? reconcileJobKey(from[0], engine) : undefined;
    await this.queue.enqueue(RUN_MOVE_JOB, { moveId: move.id }, { jobKey: `moving-move-${move.id}`, maxAttempts: 1, ...(queueName ? { queueName } : {}) });
    return this.get(move.id);
  }

  async get(id: string): Promise<MoveDto> {
    assertStaffScope('provisioning:admin');
    const move = await this.db.getRepository(Move).findOneBy({ id });
    if (!move) throw new NotFound();
    return toMoveDto(move);
  }

  async requestDrain(input: CreateDrain) {
    assertStaffScope('provisioning:admin');
    const source = await this.servers.byId(input.serverId);
    if (!source) throw invalidFields({ field: 'serverId', code: 'drain_server_unknown' });
    if (input.toServerIds.includes(source.id)) throw invalidFields({ field: 'toServerIds', code: 'drain_onto_itself' });
    // Draining: nothing new is placed there from now on.
    if (source.status !== 'draining') await this.servers.update(source.id, { status: 'draining' });
    const active = (await this.servers.withStatus(['active'])).filter((server) => server.id !== source.id);
    const targets = input.toServerIds.length > 0 ? active.filter((server) => input.toServerIds.includes(server.id)) : active;
    const drain = this.db.getRepository(Drain).create({ id: newId(), serverId: source.id, notMoved: [], requestedBy: requireActor().userId });
    const turn = new Map<string, number>();
    for (const holder of await this.relocation.holdersOn(source.id)) {
      const candidates = targets.filter((server) => server.services.includes(holder.service));
      if (candidates.length === 0) {
        drain.notMoved.push({ ...holder, reason: 'no_server_for_service' });
        continue;
      }
      const index = turn.get(holder.service) ?? 0;
      turn.set(holder.service, index + 1);
      await this.db.getRepository(Drain).save(drain);
      const toServerId = candidates[index % candidates.length]!.id;
      const engine = engineOf(holder.service);
      if (engine && (await this.relocation.resourcesOf(holder.organizationId, engine)).some((resource) => resource.serverId !== source.id && resource.serverId !== toServerId)) {
        drain.notMoved.push({ ...holder, reason: 'several_sources' });
        continue;
      }
      await this.requestMove({ organizationId: holder.organizationId, service: holder.service as CreateMove['service'], toServerId, peerAddress: input.peerAddress, peerPort: input.peerPort }, drain.id);
    }
    await this.db.getRepository(Drain).save(drain);
    return this.getDrain(drain.id);
  }

  async getDrain(id: string) {
    assertStaffScope('provisioning:admin');
    const drain = await this.db.getRepository(Drain).findOneBy({ id });
    if (!drain) throw new NotFound();
    const moves = await this.db.getRepository(Move).find({ where: { drainId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    const status = moves.some((move) => move.status === 'failed') ? 'failed' : moves.every((move) => move.status === 'done') ? 'done' : moves.some((move) => move.status !== 'queued') ? 'running' : 'queued';
    return {
      id: drain.id,
      serverId: drain.serverId,
      status,
      moves: moves.map(toMoveDto),
      notMoved: drain.notMoved.map((entry) => ({ ...entry, message: this.i18n.t(`moving.reasons.${entry.reason}`) })),
      createdAt: drain.createdAt.toISOString(),
    } as const;
  }

  // --- running -----------------------------------------------------------------------------

  @JobHandler(RUN_MOVE_JOB)
  async runJob(payload: JobPayload<typeof RUN_MOVE_JOB>): Promise<void> {
    const move = await this.db.getRepository(Move).findOneBy({ id: payload.moveId });
    if (!move || move.status === 'done' || move.status === 'failed') return;
    await RequestContext.run({ requestId: `move-${move.id}`, ip: null, headerLocale: null, actor: importActor(move.requestedBy) }, async () => {
      try {
        await this.run(move);
      } catch (error) {
        const message = error instanceof DomainError ? error.code : (error as Error).message;
        await this.db.getRepository(Move).update({ id: move.id }, { status: 'failed', lastError: message.slice(0, 2000), finishedAt: new Date() });
        throw error;
      }
    });
  }

  private async step(move: Move, step: Move['step']): Promise<void> {
    await this.db.getRepository(Move).update({ id: move.id }, { step });
    move.step = step;
  }

  private async run(move: Move): Promise<void> {
    await this.db.getRepository(Move).update({ id: move.id }, { status: 'running' });
    const service = move.service as Service;
    const engine = engineOf(service);
    const target = await this.servers.byId(move.toServerId);
    if (!target) throw new Error('the target server is no longer registered');
    const sources = (await Promise.all(move.fromServerIds.map((id) => this.servers.byId(id)))).filter((server): server is Server => server !== null);
    const prefix = await this.plans.prefixOf(move.organizationId);
    if (!ORGANIZATION_PREFIX.test(prefix)) throw new Error('unexpected organisation prefix');
    const space = `${WEB_ROOT}/${prefix}`;
    const endpoint = (server: Server) => ({ host: move.peerHost ?? server.publicIpv4 ?? server.address, port: move.peerPort });
    // Ids are UUIDv7: their first characters are the time, alike for moves asked together.
    const tag = (server: Server) => `mov-${move.id.replace(/-/g, '')}-${server.id.replace(/-/g, '').slice(-12)}`;

    if (move.step === 'copying') {
      // Data first, while the old server still serves it: owned by root until the new server has the organisation's user.
      if (service === 'web') for (const source of sources) await this.transfer.between(source, target, endpoint(source), tag(source), (copy) => copy.mirror(space, space, 'root', { mirror: false }));
      if (service === 'mail') {
        const homes = await this.mailboxHomes(move);
        // A hold left on the new server by an earlier move away from it would refuse this mail there.
        await this.holdMail(target, await this.mailDomains(move), 'release');
        for (const source of sources) {
          await this.transfer.between(source, target, endpoint(source), tag(source), async (copy) => {
            // The mark first: whatever arrives from now on is copied again by the final pass.
            for (const { id, home } of homes) {
              await copy.mark(id);
              await copy.mirror(home, home, 'vmail', { mirror: false, exclude: MAILDIR_TRANSIENT });
            }
          });
          // From now until the old server lets go, its mail for these domains waits with the
          // senders (450, try again shortly); what it already took is delivered before the switch.
          await this.holdMail(source, await this.mailDomains(move), 'hold');
        }
      }
      if (engine) await this.handOverDatabases(move, engine, sources, target, endpoint, tag);
      await this.step(move, 'switching');
    }
    if (move.step === 'switching') {
      await this.db.withTransaction(async () => {
        await this.relocation.relocate(move.organizationId, service, target.id);
        await this.db.getRepository(Move).update({ id: move.id }, { switchedAt: new Date() });
      });
      move.switchedAt = new Date();
      await this.step(move, 'waiting');
    }
    if (move.step === 'waiting') {
      const resources = await this.relocation.resourcesOf(move.organizationId, service);
      const phases = await this.search.phases(resources.map((resource) => resource.id));
      const failed = [...phases.values()].find((phase) => phase.phase === 'failed');
      if (failed) throw new Error(`${failed.type} ${failed.id} failed on the new server: ${failed.lastError ?? ''}`);
      if ([...phases.values()].some((phase) => phase.phase !== 'ready' && phase.phase !== 'deleting') || !(await this.oldServersLetGo(move, service, sources))) {
        await this.queue.enqueue(RUN_MOVE_JOB, { moveId: move.id }, { runAt: new Date(Date.now() + WAIT_SECONDS * 1000), maxAttempts: 1 });
        return;
      }
      await this.step(move, 'final_copy');
    }
    if (move.step === 'final_copy') {
      // What changed on the old server meanwhile, and the files given to the organisation's user.
      if (service === 'web') for (const source of sources) await this.transfer.between(source, target, endpoint(source), tag(source), (copy) => copy.mirror(space, space, `ruche-${prefix}`, { mirror: false }));
      if (service === 'mail') {
        // Mail the old server took until it held it back: its queue delivered once more (a
        // session open at the hold may have queued a message since), then the messages copied.
        const homes = await this.mailboxHomes(move);
        const domains = await this.mailDomains(move);
        for (const source of sources) {
          await this.holdMail(source, domains, 'hold');
          await this.transfer.between(source, target, endpoint(source), tag(source), async (copy) => {
            for (const { id, home } of homes) await copy.copyNewer(home, home, 'vmail', id, { exclude: MAILDIR_INTO_LIVE_EXCLUDE, identity: maildirMessage });
          });
        }
        // The final pass left Dovecot's files on the new server alone: it rescans.
        await rescanMailboxes(await this.pool.get(target), homes.map((home) => home.address));
      }
      await this.step(move, 'archiving');
    }
    if (move.step === 'archiving') {
      if (service === 'web') {
        const sites = (await this.relocation.resourcesOf(move.organizationId, 'web')).filter((resource) => resource.type === 'site').map((resource) => `${CERT_DIR}/${resource.id}`);
        for (const source of sources) await this.archiveWebSpace(source, prefix, move, sites);
      }
      if (service === 'mail') {
        const homes = await this.mailboxHomes(move);
        for (const source of sources) {
          await this.archiveMailboxes(source, move, homes, tag(source));
          // The old server keeps answering 450 (not 554) until senders have the new MX.
          const domains = await this.mailDomains(move);
          if (domains.length > 0) await this.queue.enqueue(RELEASE_MAIL_HOLD_JOB, { serverId: source.id, domains }, { runAt: new Date(Date.now() + MAIL_HOLD_AFTER_MOVE_SECONDS * 1000) });
        }
      }
      if (engine) {
        // The new server serves them: the old one drops its copy (the dump the move made stays, as its archive).
        const moved = new Set((await this.relocation.resourcesOf(move.organizationId, engine)).filter((resource) => resource.serverId === target.id).map((resource) => resource.id));
        for (const source of sources) await this.handover.letGo(source, engine, target.id, moved);
      }
      await this.db.getRepository(Move).update({ id: move.id }, { step: 'finished', status: 'done', finishedAt: new Date() });
    }
  }

  /**
   * Each old server has reconciled the service since the switch (so it serves none of the
   * moved resources any more), and has nothing of it still waiting.
   */
  private async oldServersLetGo(move: Move, service: Service, sources: Server[]): Promise<boolean> {
    const since = (await this.db.getRepository(Move).findOneByOrFail({ id: move.id })).switchedAt;
    if (!since) return false;
    for (const source of sources) {
      const waiting = await this.operations.list({ status: 'queued', serverId: source.id, service, limit: 1 });
      if (waiting.data.length > 0) return false;
      const [latest] = (await this.operations.list({ serverId: source.id, service, limit: 1 })).data;
      if (!latest || latest.status !== 'succeeded' || !latest.startedAt || new Date(latest.startedAt) < since) return false;
    }
    return true;
  }

  /**
   * Databases, before desired state names the new server: the old one lets the organisation's
   * users go (their sessions end, so nothing changes the data from then on) and dumps each
   * database; the new server fetches each dump and is told to fill the database from it when it
   * makes it (an archive arriving, restored before the database goes ready). Clients are without
   * their databases from the first step until the new server has made them.
   */
  private async handOverDatabases(move: Move, engine: Engine, sources: Server[], target: Server, endpoint: (server: Server) => PeerEndpoint, tag: (server: Server) => string): Promise<void> {
    const resources = await this.relocation.resourcesOf(move.organizationId, engine);
    for (const source of sources) {
      const here = resources.filter((resource) => resource.serverId === source.id && resource.phase !== 'deleting');
      await this.handover.letGo(source, engine, source.id, new Set(here.filter((resource) => resource.type === 'database_user').map((resource) => resource.id)));
      for (const database of here.filter((resource) => resource.type === 'database' && resource.name !== null)) {
        const dump = await this.handover.dumpForMove(source, engine, { id: database.id, name: database.name! }, move.id);
        await this.transfer.between(source, target, endpoint(source), tag(source), (copy) => copy.copyFile(dump.path));
        await this.archives.arriving({ databaseId: database.id, serverId: target.id, path: dump.path, sizeBytes: dump.sizeBytes });
      }
    }
  }

  /** The domains of the organisation's addresses. */
  private async mailDomains(move: Move): Promise<string[]> {
    const resources = await this.relocation.resourcesOf(move.organizationId, 'mail');
    return [...new Set(resources.flatMap((resource) => (resource.name ? [resource.name.slice(resource.name.lastIndexOf('@') + 1)] : [])))].filter((domain) => MAIL_DOMAIN.test(domain)).sort();
  }

  /**
   * `hold`: the old server answers 450 for these domains (senders try again, by then at the
   * new server), then waits until its queue holds nothing more for them (delivered into the
   * maildirs the final pass copies). `release`: the domains leave that list.
   */
  private async holdMail(source: Server, domains: string[], action: 'hold' | 'release'): Promise<void> {
    if (domains.length === 0) return;
    const connection = await this.pool.get(source);
    await connection.run(['sh', '-c', HOLD_MAIL, 'ruche-move-hold-mail', MOVING_LIST, action, ...domains], { timeoutMs: 120_000 });
  }

  /** The organisation's mailboxes, their addresses and folders (the same path on every server). */
  private async mailboxHomes(move: Move): Promise<Array<{ id: string; address: string; home: string }>> {
    const resources = await this.relocation.resourcesOf(move.organizationId, 'mail');
    return resources
      .filter((resource) => resource.type === 'mailbox' && /^[0-9a-f-]{36}$/.test(resource.id) && resource.name !== null)
      .map((resource) => ({ id: resource.id, address: resource.name!, home: `${MAILDIR_ROOT}/${resource.id}` }));
  }

  @JobHandler(RELEASE_MAIL_HOLD_JOB)
  async releaseMailHold(payload: JobPayload<typeof RELEASE_MAIL_HOLD_JOB>): Promise<void> {
    const server = await this.servers.byId(payload.serverId);
    if (server) await this.holdMail(server, payload.domains, 'release');
  }

  /** The old server keeps only an archive of each mailbox's folder, as it does for a deleted mailbox. */
  private async archiveMailboxes(source: Server, move: Move, homes: Array<{ id: string; home: string }>, transferTag: string): Promise<void> {
    const connection = await this.pool.get(source);
    await connection.run(
      [
        'sh',
        '-c',
        // The folders on standard input: an organisation's thousands outgrow one command line.
        `set -e; umask 077; archive="$1/mail"; suffix=$2; marks=$3
mkdir -p -- "$archive"
while IFS= read -r home; do
  if [ -d "$home" ]; then
    name="\${home##*/}-$suffix.tar.gz"
    tar -C "$home" -czf "$archive/$name.tmp" . < /dev/null
    mv -f -- "$archive/$name.tmp" "$archive/$name"
    rm -rf -- "$home"
  fi
done
rm -rf -- "$marks"`,
        'ruche-move-archive-mail',
        this.provisioning.archiveDir,
        move.id.replace(/-/g, ''),
        `/root/.ruche-move/${transferTag}.d`,
      ],
      { input: homes.map((entry) => `${entry.home}\n`).join(''), timeoutMs: 3_600_000 },
    );
  }

  /** The old server keeps only an archive of the organisation's web space (under the archive folder), not the space, its certificates or its user. */
  private async archiveWebSpace(source: Server, prefix: string, move: Move, certificates: string[]): Promise<void> {
    const connection = await this.pool.get(source);
    await connection.run(
      [
        'sh',
        '-c',
        `set -e; umask 077; archive="$1/web"; root=$2; prefix=$3; name="$prefix-$4.tar.gz"; shift 4
mkdir -p -- "$archive"
if [ -d "$root/$prefix" ]; then
  tar -C "$root" -czf "$archive/$name.tmp" -- "$prefix"
  mv -f -- "$archive/$name.tmp" "$archive/$name"
  rm -rf -- "$root/$prefix"
fi
for certificate; do rm -f -- "$certificate.crt" "$certificate.key" "$certificate.names" "$certificate"-*.crt "$certificate"-*.key; done
userdel -- "ruche-$prefix" 2>/dev/null || true`,
        'ruche-move-archive',
        this.provisioning.archiveDir,
        WEB_ROOT,
        prefix,
        move.id.replace(/-/g, ''),
        ...certificates,
      ],
      { timeoutMs: 3_600_000 },
    );
  }
}
