import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { Body } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { createProgress } from '../ui/progress.js';
import { integerOption, resolveServer, stateCell, type Answer } from './common.js';
import { intervalOption } from './jobs.js';

type ImportAnswer = Answer<'/api/v1/imports/{id}', 'get'>;
type ImportItem = ImportAnswer['items'][number];

interface ImportOptions {
  from: string;
  account?: string;
  dryRun?: boolean;
  final?: boolean;
  peerAddress?: string;
  interval?: number;
  timeout?: number;
}

/** How each outcome is coloured, as the states it resembles. */
const OUTCOME_STATE: Record<ImportItem['outcome'], string> = { create: 'queued', already_imported: 'skipped', cannot_carry: 'skipped', done: 'succeeded', failed: 'failed' };

const LOGIN = /^[a-z0-9]{1,14}$/;
const PEER = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/;

export function registerImports(program: Command, app: App): void {
  const { t } = app;
  const imports = program.command('import').description(t('cmd.import'));
  imports
    .command('alternc')
    .description(t('cmd.import.alternc'))
    .argument('<database-url>', t('arg.alterncDatabase'))
    .requiredOption('--from <server>', t('opt.import.from'))
    .option('--account <logins>', t('opt.import.account'))
    .option('--dry-run', t('opt.dryRun'))
    .option('--final', t('opt.import.final'))
    .option('--peer-address <host[:port]>', t('opt.import.peerAddress'))
    .addOption(intervalOption(t))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .addHelpText('after', `\n${t('help.import.alternc')}\n`)
    .action(app.action(importAlternc));
}

async function importAlternc(context: Context, databaseUrl: string, options: ImportOptions): Promise<void> {
  const { t, out } = context;
  if (!/^(mysql|mariadb):\/\/[^/]/.test(databaseUrl)) throw new UsageError(t('usage.invalidDatabaseUrl', { value: databaseUrl.replace(/\/\/[^@/]*@/, '//…@') }));
  const accounts = options.account ? options.account.split(',').map((login) => login.trim()) : [];
  const bad = accounts.find((login) => !LOGIN.test(login));
  if (bad !== undefined) throw new UsageError(t('usage.invalidLogin', { value: bad }));
  const peer = options.peerAddress ? PEER.exec(options.peerAddress) : null;
  if (options.peerAddress && (!peer || Number(peer[2] ?? 22) < 1 || Number(peer[2] ?? 22) > 65535)) throw new UsageError(t('usage.invalidPeerAddress', { value: options.peerAddress }));
  const api = await context.api();
  const source = await resolveServer(context, options.from);
  const body = {
    databaseUrl,
    fromServerId: source.id,
    accounts,
    ...(options.final ? { final: true } : {}),
    ...(peer ? { peerAddress: peer[1]!.replace(/^\[|\]$/g, ''), ...(peer[2] ? { peerPort: Number(peer[2]) } : {}) } : {}),
  } satisfies Body<'/api/v1/imports', 'post'>;

  if (options.dryRun) {
    const plan = await context.call(api.POST('/api/v1/imports/dry-run', { body }));
    if (context.json) return out.document(plan);
    printItems(context, plan.items);
    out.line(summary(context, plan.items));
    return;
  }

  const started = await context.call(api.POST('/api/v1/imports', { body, headers: { 'idempotency-key': randomUUID() } }));
  const id = started.id!;
  if (!context.json) out.line(t('import.started', { id, server: source.name }));
  context.io.catchInterrupts();
  const progress = createProgress(out, context.i18n, t('import.label'));
  const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
  let current: ImportAnswer = started as ImportAnswer;
  try {
    for (;;) {
      current = await context.call(api.GET('/api/v1/imports/{id}', { params: { path: { id } } }));
      progress.update(current.itemsDone, current.itemsTotal, t('import.step', { step: current.step ?? 'resources' }));
      if (current.status === 'done' || current.status === 'failed') break;
      if (context.io.interrupt.aborted) throw new CliError(t('import.interrupted', { id }), EXIT.interrupted, 'interrupted');
      if (Date.now() >= deadline) throw new CliError(t('watch.timeoutError', { seconds: options.timeout ?? 0 }), EXIT.failed, 'timeout');
      await sleep((options.interval ?? 1) * 1000, undefined, { signal: context.io.interrupt }).catch(() => undefined);
    }
  } finally {
    progress.stop();
  }
  const failed = current.items.filter((item) => item.outcome === 'failed');
  if (context.json) out.document(current);
  else {
    printItems(context, current.items);
    out.line(summary(context, current.items));
    if (current.status === 'failed') out.line(t('import.failed', { error: current.lastError ?? '' }));
  }
  if (current.status === 'failed' || failed.length > 0) context.exit(EXIT.failed);
}

function printItems(context: Context, items: readonly ImportItem[]): void {
  const { t, out } = context;
  if (items.length === 0) return out.line(t('import.nothing'));
  out.table(
    [{ header: t('col.account') }, { header: t('col.kind') }, { header: t('col.name'), shrink: true }, { header: t('col.outcome') }, { header: t('col.why'), shrink: true }],
    items.map((item) => [
      item.account,
      t('type', { type: item.kind }),
      item.key.slice(item.key.indexOf(':') + 1),
      { text: t('import.outcome', { outcome: item.outcome }), style: stateCell(t, OUTCOME_STATE[item.outcome]).style },
      item.message ?? (item.note ? t('import.note', { note: item.note }) : ''),
    ]),
  );
}

function summary(context: Context, items: readonly ImportItem[]): string {
  const count = (outcome: ImportItem['outcome']) => items.filter((item) => item.outcome === outcome).length;
  return context.t('import.summary', { create: count('create'), done: count('done'), already: count('already_imported'), cannot: count('cannot_carry'), failed: count('failed') });
}

