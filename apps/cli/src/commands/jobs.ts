import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { collect, type Body, type Query } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { I18n } from '../i18n/i18n.js';
import { formatDuration, formatTime } from '../ui/output.js';
import { createProgress } from '../ui/progress.js';
import type { Cell, Column } from '../ui/text.js';
import {
  choice,
  choiceOption,
  integerOption,
  JOB_STATUSES,
  withPages,
  RESOURCE_TYPES,
  resolveServer,
  serverNames,
  SERVICES,
  stateCell,
  uuidArgument,
  type Job,
  type JobStatus,
  type PageOptions,
  type ResourceSummary,
  type ResourceType,
  type Service,
} from './common.js';
import { emptyWatch, hasFailed, observe, settled, summarize, type WatchEvent } from './watch-state.js';

export interface WatchOptions {
  server?: string | undefined;
  service?: Service;
  interval?: number;
  follow?: boolean;
  timeout?: number;
  /** The API's time (ms) the watched work was queued at: its runs count even if they finished before the first look. */
  since?: number;
}

export function intervalOption(t: I18n['t']): Option {
  return integerOption(t, '--interval <seconds>', t('opt.interval'), 1, 3600);
}

export function registerJobs(program: Command, app: App): void {
  const { t } = app;
  const jobs = program.command('jobs').description(t('cmd.jobs'));

  withPages(
    jobs
      .command('list', { isDefault: true })
    .allowExcessArguments(true)
      .description(t('cmd.jobs.list'))
      .addOption(choiceOption(t, '--status <status>', t('opt.jobs.status'), JOB_STATUSES))
      .option('--server <server>', t('opt.server'))
      .addOption(choiceOption(t, '--service <service>', t('opt.service'), SERVICES)),
    t,
    20,
  )
    .action(app.action(list));

  jobs
    .command('watch')
    .description(t('cmd.jobs.watch'))
    .option('--server <server>', t('opt.server'))
    .addOption(choiceOption(t, '--service <service>', t('opt.service'), SERVICES))
    .addOption(intervalOption(t))
    .addOption(new Option('--follow', t('opt.follow')))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .addHelpText('after', `\n${t('help.jobs.watch')}\n`)
    .action(app.action(async (context, options: WatchOptions) => {
      const server = options.server ? (await resolveServer(context, options.server)).id : undefined;
      await watchQueue(context, { ...options, server });
    }));

  jobs
    .command('retry')
    .description(t('cmd.jobs.retry'))
    .argument('[type]', t('arg.resourceType', { types: RESOURCE_TYPES.join(', ') }))
    .argument('[id]', t('arg.resourceId'))
    .addOption(new Option('--all-failed', t('opt.retry.allFailed')))
    .option('--server <server>', t('opt.retry.server'))
    .addOption(new Option('--wait', t('opt.retry.wait')))
    .addOption(intervalOption(t))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .action(app.action(retry));
}

export function jobColumns(t: I18n['t']): Column[] {
  return [
    { header: t('col.id') },
    { header: t('col.server') },
    { header: t('col.service') },
    { header: t('col.status') },
    { header: t('col.trigger') },
    { header: t('col.when') },
    { header: t('col.duration'), align: 'right' },
    { header: t('col.applied'), align: 'right' },
    { header: t('col.failed'), align: 'right' },
    { header: t('col.error'), shrink: true, max: 120 },
  ];
}

export function jobRow(t: I18n['t'], job: Job, serverName: (id: string) => string): Cell[] {
  return [
    job.id,
    serverName(job.serverId),
    job.service,
    stateCell(t, job.status),
    job.trigger,
    formatTime(job.startedAt ?? job.runAt),
    formatDuration(job.durationMs),
    String(job.resourcesApplied),
    { text: String(job.resourcesFailed), style: job.resourcesFailed > 0 ? 'red' : undefined },
    job.error ?? '',
  ];
}

async function list(context: Context, options: PageOptions & { status?: JobStatus; server?: string; service?: Service }): Promise<void> {
  const { t, out } = context;
  const api = await context.api();
  const serverId = options.server ? (await resolveServer(context, options.server)).id : undefined;
  const page = await collect(
    (cursor, limit) =>
      context.call(
        api.GET('/api/v1/jobs', {
          params: { query: { limit: Math.min(limit, 200), cursor, status: options.status, serverId, service: options.service } satisfies Query<'/api/v1/jobs'> },
        }),
      ),
    { limit: options.limit ?? 20, all: options.all === true, cursor: options.cursor },
  );
  if (context.json) return out.document(page);
  if (page.data.length === 0) return out.line(t('jobs.none'));
  const name = await serverNames(context);
  out.table(jobColumns(t), page.data.map((job) => jobRow(t, job, name)));
  if (page.nextCursor) out.line(t('list.more', { cursor: page.nextCursor }));
}

/**
 * The queue, live: a line per reconcile that finishes, a bar with counts and the rate, until
 * nothing is running or due (or Ctrl-C; `--follow` goes on until then). `--json`: one object
 * per line (`queued`, `started`, `finished`, then `settled`, `interrupted` or `timeout`).
 */
export async function watchQueue(context: Context, options: WatchOptions): Promise<void> {
  const { t, out, io } = context;
  const api = await context.api();
  const name = await serverNames(context);
  const interval = (options.interval ?? 1) * 1000;
  const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
  const jobsWith = async (status: JobStatus | undefined) =>
    (await context.call(api.GET('/api/v1/jobs', { params: { query: { limit: 200, serverId: options.server, service: options.service, status } satisfies Query<'/api/v1/jobs'> } }))).data;
  const progress = createProgress(out, context.i18n, t('watch.label'));
  const describe = (job: Job) => t('watch.line', {
    mark: hasFailed(job) ? '✗' : job.status === 'skipped' ? '–' : '✓',
    time: formatTime(job.finishedAt ?? job.startedAt),
    server: name(job.serverId),
    service: job.service,
    status: t('state', { state: job.status }),
    duration: formatDuration(job.durationMs),
    applied: job.resourcesApplied,
    failed: job.resourcesFailed,
    error: job.error ? job.error.replace(/\s+/g, ' ') : '__none',
  });
  context.io.catchInterrupts();
  let state = emptyWatch(options.since ?? null);
  let end: 'settled' | 'interrupted' | 'timeout' = 'interrupted';
  try {
    while (!io.interrupt.aborted) {
      const [queued, running, recent] = await Promise.all([jobsWith('queued'), jobsWith('running'), jobsWith(undefined)]);
      const step = observe(state, { queued, running, recent }, new Date());
      state = step.state;
      for (const event of step.events) report(event);
      const summary = summarize(state);
      progress.update(summary.finished, summary.finished + summary.running + queued.length, t('watch.note', { running: summary.running, failed: summary.failed }));
      if (settled(state) && !options.follow) {
        end = 'settled';
        break;
      }
      if (Date.now() >= deadline) {
        end = 'timeout';
        break;
      }
      await sleep(interval, undefined, { signal: io.interrupt }).catch(() => undefined);
    }
  } finally {
    progress.stop();
  }
  const summary = summarize(state);
  if (context.json) out.jsonLine({ event: end, ...summary });
  else out.line(t(`watch.${end}`, { ...summary, next: summary.nextRunAt ? formatTime(summary.nextRunAt) : '__none' }));
  if (end === 'timeout') throw new CliError(t('watch.timeoutError', { seconds: options.timeout ?? 0 }), EXIT.failed, 'timeout');
  if (end === 'interrupted') context.exit(options.follow ? EXIT.ok : EXIT.interrupted);
  else if (summary.failed > 0) context.exit(EXIT.failed);

  function report(event: WatchEvent): void {
    if (context.json) return out.jsonLine(event);
    if (event.event === 'finished') progress.log(describe(event.job));
  }
}

async function retry(
  context: Context,
  typeArgument: string | undefined,
  idArgument: string | undefined,
  options: { allFailed?: boolean; server?: string; wait?: boolean; interval?: number; timeout?: number },
): Promise<void> {
  const { t, out } = context;
  if (options.allFailed) {
    if (idArgument) throw new UsageError(t('usage.conflictingOption', { name: '<id>', other: '--all-failed' }));
    const type = typeArgument ? choice(t, '<type>', RESOURCE_TYPES, typeArgument) : undefined;
    return retryAllFailed(context, type, options);
  }
  if (options.server) throw new UsageError(t('usage.serverNeedsAllFailed'));
  if (!typeArgument || !idArgument) throw new UsageError(t('usage.missingArgument', { name: typeArgument ? 'id' : 'type' }));
  const type = choice(t, '<type>', RESOURCE_TYPES, typeArgument);
  const id = uuidArgument(t, '<id>', idArgument);
  const api = await context.api();
  await context.call(api.POST('/api/v1/jobs/retry', { body: { resourceType: type, resourceId: id } satisfies Body<'/api/v1/jobs/retry', 'post'> }));
  if (!options.wait) {
    if (context.json) return out.document({ retried: [{ type, id }] });
    return out.line(t('retry.queued', { type: t('type', { type }), id }));
  }
  if (!context.json) out.line(t('retry.queued', { type: t('type', { type }), id }));
  const resource = await waitForResource(context, type, id, options);
  if (context.json) out.document({ retried: [{ type, id }], resource });
  else if (resource) out.line(t(resource.phase === 'ready' ? 'retry.ready' : 'retry.failed', { type: t('type', { type }), name: resource.name, error: resource.lastError ?? '' }));
  else out.line(t('retry.gone', { type: t('type', { type }), id }));
  if (resource?.phase === 'failed') context.exit(EXIT.failed);
}

/** Polls one resource until its phase settles (ready or failed) or it is gone (a finished deletion). */
async function waitForResource(context: Context, type: ResourceType, id: string, options: { interval?: number; timeout?: number }): Promise<ResourceSummary | null> {
  const api = await context.api();
  const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Infinity;
  context.io.catchInterrupts();
  for (;;) {
    const [resource] = (await context.call(api.GET('/api/v1/resources', { params: { query: { type, id, limit: 1 } satisfies Query<'/api/v1/resources'> } }))).data;
    if (!resource || resource.phase === 'ready' || resource.phase === 'failed') return resource ?? null;
    if (context.io.interrupt.aborted) throw new CliError('', EXIT.interrupted, 'interrupted');
    if (Date.now() >= deadline) throw new CliError(context.t('watch.timeoutError', { seconds: options.timeout ?? 0 }), EXIT.failed, 'timeout');
    await sleep((options.interval ?? 1) * 1000, undefined, { signal: context.io.interrupt }).catch(() => undefined);
  }
}

/** Every failed resource (of a type, on a server) applied again, with a progress bar: long work on a big fleet. */
async function retryAllFailed(context: Context, type: ResourceType | undefined, options: { server?: string }): Promise<void> {
  const { out } = context;
  const api = await context.api();
  const serverId = options.server ? (await resolveServer(context, options.server)).id : undefined;
  const failed = await collect(
    (cursor, limit) =>
      context.call(api.GET('/api/v1/resources', { params: { query: { phase: 'failed', limit, type, serverId, cursor } satisfies Query<'/api/v1/resources'> } })),
    { limit: Infinity, all: true },
  );
  context.io.catchInterrupts();
  const progress = createProgress(out, context.i18n, context.t('retry.label'));
  const retried: Array<{ type: ResourceType; id: string; name: string }> = [];
  try {
    for (const resource of failed.data) {
      if (context.io.interrupt.aborted) break;
      await context.call(api.POST('/api/v1/jobs/retry', { body: { resourceType: resource.type, resourceId: resource.id } satisfies Body<'/api/v1/jobs/retry', 'post'> }));
      retried.push({ type: resource.type, id: resource.id, name: resource.name });
      progress.update(retried.length, failed.data.length);
    }
  } finally {
    progress.stop();
  }
  if (context.json) out.document({ retried });
  else out.line(context.t('retry.all', { count: retried.length }));
  if (retried.length < failed.data.length) context.exit(EXIT.interrupted);
}
