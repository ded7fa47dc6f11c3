import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { collect, type Query } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { EXIT } from '../errors.js';
import { formatTime } from '../ui/output.js';
import { choiceOption, withPages, resolveServer, serverNames, SERVER_EVENT_KINDS, type PageOptions, type ServerEvent, type ServerEventKind } from './common.js';
import { intervalOption } from './jobs.js';

export function registerEvents(program: Command, app: App): void {
  const { t } = app;
  withPages(
    program
      .command('events')
      .description(t('cmd.events'))
      .option('--server <server>', t('opt.server'))
      .addOption(choiceOption(t, '--kind <kind>', t('opt.events.kind'), SERVER_EVENT_KINDS)),
    t,
    20,
  )
    .addOption(new Option('--follow', t('opt.events.follow')))
    .addOption(intervalOption(t))
    .action(app.action(events));
}

type Options = PageOptions & { server?: string; kind?: ServerEventKind; follow?: boolean; interval?: number };

/** What went wrong with servers that no resource explains, newest first; `--follow` prints new ones as they come (JSON lines with `--json`). */
async function events(context: Context, options: Options): Promise<void> {
  const { t, out } = context;
  const api = await context.api();
  const serverId = options.server ? (await resolveServer(context, options.server)).id : undefined;
  const name = await serverNames(context);
  const columns = [{ header: t('col.when') }, { header: t('col.server') }, { header: t('col.service') }, { header: t('col.kind') }, { header: t('col.message'), shrink: true }];
  const row = (event: ServerEvent) => [formatTime(event.at), name(event.serverId), event.service, event.kind, event.message];
  const page = await collect(
    (cursor, limit) => context.call(api.GET('/api/v1/server-events', { params: { query: { serverId, kind: options.kind, limit: Math.min(limit, 200), cursor } satisfies Query<'/api/v1/server-events'> } })),
    { limit: options.limit ?? 20, all: options.all === true, cursor: options.cursor },
  );
  if (!options.follow) {
    if (context.json) return out.document(page);
    if (page.data.length === 0) return out.line(t('events.none'));
    out.table(columns, page.data.map(row));
    if (page.nextCursor) out.line(t('list.more', { cursor: page.nextCursor }));
    return;
  }
  context.io.catchInterrupts();
  // Following: what is there (oldest first), then each new event as it comes, until Ctrl-C.
  const seen = new Set<string>();
  const print = (list: ServerEvent[]) => {
    for (const event of [...list].reverse()) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      if (context.json) out.jsonLine(event);
      else out.line(`${formatTime(event.at)}  ${name(event.serverId)}  ${event.service}  ${event.kind}  ${event.message.replace(/\s+/g, ' ')}`);
    }
  };
  print(page.data);
  while (!context.io.interrupt.aborted) {
    await sleep((options.interval ?? 1) * 1000, undefined, { signal: context.io.interrupt }).catch(() => undefined);
    if (context.io.interrupt.aborted) break;
    print((await context.call(api.GET('/api/v1/server-events', { params: { query: { serverId, kind: options.kind, limit: 200 } satisfies Query<'/api/v1/server-events'> } }))).data);
  }
  context.exit(EXIT.ok);
}
