import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { collect, type Body, type Query } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { createProgress } from '../ui/progress.js';
import { allServers, integerOption, resolveServer, serverNames, SERVICES, stateCell, uuidArgument, type Answer, type Service } from './common.js';
import { intervalOption } from './jobs.js';

type MoveAnswer = Answer<'/api/v1/moves/{id}', 'get'>;
type DrainAnswer = Answer<'/api/v1/drains/{id}', 'get'>;
/** What a move carries today; the other services say so (exit 6). */
const PEER = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/;

interface WaitOptions {
  interval?: number;
  timeout?: number;
  peerAddress?: string;
  dryRun?: boolean;
}

function peerOf(context: Context, value: string | undefined): { peerAddress?: string; peerPort?: number } {
  if (!value) return {};
  const match = PEER.exec(value);
  const port = Number(match?.[2] ?? 22);
  if (!match || port < 1 || port > 65535) throw new UsageError(context.t('usage.invalidPeerAddress', { value }));
  return { peerAddress: match[1]!.replace(/^\[|\]$/g, ''), ...(match[2] ? { peerPort: port } : {}) };
}

export function registerMoves(program: Command, app: App): void {
  const { t } = app;
  program
    .command('move')
    .description(t('cmd.move'))
    .argument('<organization>', t('arg.organization'))
    .argument('<service>', t('arg.service', { services: SERVICES.join(', ') }))
    .requiredOption('--to <server>', t('opt.move.to'))
    .option('--dry-run', t('opt.dryRun'))
    .option('--peer-address <host[:port]>', t('opt.move.peerAddress'))
    .addOption(intervalOption(t))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .addHelpText('after', `\n${t('help.move')}\n`)
    .action(app.action(move));
}

/** `ruche servers drain`, registered by the servers command. */
export function registerDrain(servers: Command, app: App): void {
  const { t } = app;
  servers
    .command('drain')
    .description(t('cmd.servers.drain'))
    .argument('<server>', t('arg.server'))
    .option('--to <servers>', t('opt.servers.drainTo'))
    .option('--dry-run', t('opt.dryRun'))
    .option('--peer-address <host[:port]>', t('opt.move.peerAddress'))
    .addOption(intervalOption(t))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .addHelpText('after', `\n${t('help.drain')}\n`)
    .action(app.action(drain));
}

/** The organisation's resources of a service (or a server's), as the resource search lists them. */
async function resourcesWhere(context: Context, query: Query<'/api/v1/resources'>) {
  const api = await context.api();
  return (await collect((cursor, limit) => context.call(api.GET('/api/v1/resources', { params: { query: { ...query, limit, cursor } } })), { limit: Infinity, all: true })).data;
}

async function move(context: Context, organizationArgument: string, serviceArgument: string, options: WaitOptions & { to: string }): Promise<void> {
  const { t, out } = context;
  if (!(SERVICES as readonly string[]).includes(serviceArgument)) throw new UsageError(t('usage.invalidChoice', { name: '<service>', value: serviceArgument, choices: SERVICES.join(', ') }));
  const service = serviceArgument as Service;
  const organizationId = uuidArgument(t, '<organization>', organizationArgument);
  const peer = peerOf(context, options.peerAddress);
  const api = await context.api();
  const target = await resolveServer(context, options.to);
  if (options.dryRun) {
    const resources = (await resourcesWhere(context, { organizationId })).filter((resource) => resource.service === service);
    const names = await serverNames(context);
    const moving = resources.filter((resource) => resource.serverId !== target.id);
    if (context.json) return out.document({ organizationId, service, toServerId: target.id, resources: moving });
    out.table([{ header: t('col.type') }, { header: t('col.name'), shrink: true }, { header: t('col.server') }], moving.map((resource) => [t('type', { type: resource.type }), resource.name, names(resource.serverId)]));
    return out.line(t('move.wouldMove', { count: moving.length, server: target.name }));
  }
  const started = await context.call(
    api.POST('/api/v1/moves', { body: { organizationId, service: service as Body<'/api/v1/moves', 'post'>['service'], toServerId: target.id, ...peer }, headers: { 'idempotency-key': randomUUID() } }),
  );
  const done = await follow(context, options, async () => {
    const current = await context.call(api.GET('/api/v1/moves/{id}', { params: { path: { id: started.id } } }));
    return { done: current.status === 'done' || current.status === 'failed', count: stepIndex(current.step), total: 5, note: t('move.step', { step: current.step }), value: current };
  });
  if (context.json) out.document(done);
  else out.line(t(done.status === 'done' ? 'move.done' : 'move.failed', { server: target.name, error: done.lastError ?? '' }));
  if (done.status !== 'done') context.exit(EXIT.failed);
}

const STEPS: ReadonlyArray<MoveAnswer['step']> = ['copying', 'switching', 'waiting', 'final_copy', 'archiving', 'finished'];
const stepIndex = (step: MoveAnswer['step']) => Math.max(0, STEPS.indexOf(step));

async function drain(context: Context, reference: string, options: WaitOptions & { to?: string }): Promise<void> {
  const { t, out } = context;
  const peer = peerOf(context, options.peerAddress);
  const api = await context.api();
  const server = await resolveServer(context, reference);
  const targets = options.to ? await Promise.all(options.to.split(',').map((name) => resolveServer(context, name.trim()))) : [];
  if (options.dryRun) {
    const resources = await resourcesWhere(context, { serverId: server.id });
    const active = (await allServers(context)).filter((candidate) => candidate.status === 'active' && candidate.id !== server.id && (targets.length === 0 || targets.some((target) => target.id === candidate.id)));
    const rows = resources.map((resource) => {
      const movable = active.some((candidate) => candidate.services.includes(resource.service));
      return { ...resource, movable };
    });
    if (context.json) return out.document({ serverId: server.id, resources: rows });
    out.table(
      [{ header: t('col.type') }, { header: t('col.name'), shrink: true }, { header: t('col.organization') }, { header: t('col.outcome') }],
      rows.map((row) => [t('type', { type: row.type }), row.name, row.organizationName, row.movable ? t('drain.wouldMove') : t('drain.wouldStay')]),
    );
    return out.line(t('drain.summary', { moving: rows.filter((row) => row.movable).length, staying: rows.filter((row) => !row.movable).length }));
  }
  const started = await context.call(
    api.POST('/api/v1/drains', { body: { serverId: server.id, toServerIds: targets.map((target) => target.id), ...peer } satisfies Body<'/api/v1/drains', 'post'>, headers: { 'idempotency-key': randomUUID() } }),
  );
  if (!context.json) out.line(t('drain.started', { name: server.name, count: started.moves.length }));
  const result: DrainAnswer = await follow(context, options, async () => {
    const current = await context.call(api.GET('/api/v1/drains/{id}', { params: { path: { id: started.id } } }));
    const finished = current.moves.filter((entry) => entry.status === 'done' || entry.status === 'failed').length;
    return { done: finished === current.moves.length, count: finished, total: current.moves.length, note: '', value: current };
  });
  if (context.json) out.document(result);
  else {
    const names = await serverNames(context);
    if (result.moves.length > 0) {
      out.table(
        [{ header: t('col.organization') }, { header: t('col.service') }, { header: t('col.server') }, { header: t('col.status') }, { header: t('col.message'), shrink: true }],
        result.moves.map((entry) => [entry.organizationId, entry.service, names(entry.toServerId), stateCell(t, entry.status === 'done' ? 'succeeded' : entry.status), entry.lastError ?? '']),
      );
    }
    for (const left of result.notMoved) out.warn(t('drain.notMoved', { organization: left.organizationId, service: left.service, message: left.message }));
    out.line(t('drain.done', { name: server.name, moved: result.moves.filter((entry) => entry.status === 'done').length, failed: result.moves.filter((entry) => entry.status === 'failed').length, left: result.notMoved.length }));
  }
  if (result.moves.some((entry) => entry.status !== 'done') || result.notMoved.length > 0) context.exit(EXIT.failed);
}

/** Polls until `probe` says done, with a progress bar on a terminal. */
async function follow<T>(context: Context, options: WaitOptions, probe: () => Promise<{ done: boolean; count: number; total: number; note: string; value: T }>): Promise<T> {
  context.io.catchInterrupts();
  const progress = createProgress(context.out, context.i18n, context.t('move.label'));
  const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
  try {
    for (;;) {
      const state = await probe();
      progress.update(state.count, state.total, state.note);
      if (state.done) return state.value;
      if (context.io.interrupt.aborted) throw new CliError(context.t('move.interrupted'), EXIT.interrupted, 'interrupted');
      if (Date.now() >= deadline) throw new CliError(context.t('watch.timeoutError', { seconds: options.timeout ?? 0 }), EXIT.failed, 'timeout');
      await sleep((options.interval ?? 1) * 1000, undefined, { signal: context.io.interrupt }).catch(() => undefined);
    }
  } finally {
    progress.stop();
  }
}
