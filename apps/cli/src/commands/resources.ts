import type { Command } from 'commander';
import { collect, type Query } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { CliError, EXIT } from '../errors.js';
import { formatTime, orDash } from '../ui/output.js';
import {
  choice,
  choiceOption,
  isUuid,
  integerOption,
  withPages,
  PHASES,
  RESOURCE_TYPES,
  resolveServer,
  serverNames,
  stateCell,
  uuidArgument,
  type PageOptions,
  type Phase,
  type ResourceType,
} from './common.js';
import { UsageError } from '../errors.js';

export function registerResources(program: Command, app: App): void {
  const { t } = app;
  const resources = program.command('resources').description(t('cmd.resources'));

  withPages(
    resources
      .command('find')
      .description(t('cmd.resources.find'))
      .argument('<name>', t('arg.resourceName'))
      .addOption(choiceOption(t, '--type <type>', t('opt.resources.type'), RESOURCE_TYPES))
      .addOption(choiceOption(t, '--phase <phase>', t('opt.resources.phase'), PHASES))
      .option('--organization <id>', t('opt.resources.organization'))
      .option('--server <server>', t('opt.server')),
    t,
    50,
  )
    .action(app.action(find));

  resources
    .command('show')
    .description(t('cmd.resources.show'))
    .argument('<type>', t('arg.resourceType', { types: RESOURCE_TYPES.join(', ') }))
    .argument('<id>', t('arg.resourceId'))
    .addOption(integerOption(t, '--limit <n>', t('opt.resources.history'), 1, 200))
    .action(app.action(show));
}

async function find(context: Context, name: string, options: PageOptions & { type?: ResourceType; phase?: Phase; organization?: string; server?: string }): Promise<void> {
  const { t, out } = context;
  if (options.organization && !isUuid(options.organization)) throw new UsageError(t('usage.invalidId', { name: '--organization', value: options.organization }));
  const api = await context.api();
  const serverId = options.server ? (await resolveServer(context, options.server)).id : undefined;
  const page = await collect(
    (cursor, limit) =>
      context.call(
        api.GET('/api/v1/resources', {
          params: {
            query: {
              q: name,
              limit: Math.min(limit, 200),
              cursor,
              type: options.type,
              phase: options.phase,
              organizationId: options.organization?.toLowerCase(),
              serverId,
            } satisfies Query<'/api/v1/resources'>,
          },
        }),
      ),
    { limit: options.limit ?? 50, all: options.all === true, cursor: options.cursor },
  );
  if (context.json) return out.document(page);
  if (page.data.length === 0) return out.line(t('resources.none', { name }));
  const server = await serverNames(context);
  out.table(
    [
      { header: t('col.type') },
      { header: t('col.name'), max: 60 },
      { header: t('col.organization'), max: 40, shrink: true },
      { header: t('col.server') },
      { header: t('col.phase') },
      { header: t('col.updated') },
      { header: t('col.id') },
      { header: t('col.error'), shrink: true, max: 100 },
    ],
    page.data.map((resource) => [t('type', { type: resource.type }), resource.name, resource.organizationName, server(resource.serverId), stateCell(t, resource.phase), formatTime(resource.updatedAt), resource.id, resource.lastError ?? '']),
  );
  if (page.nextCursor) out.line(t('list.more', { cursor: page.nextCursor }));
}

async function show(context: Context, typeArgument: string, idArgument: string, options: { limit?: number }): Promise<void> {
  const { t, out } = context;
  const type = choice(t, '<type>', RESOURCE_TYPES, typeArgument);
  const id = uuidArgument(t, '<id>', idArgument);
  const api = await context.api();
  const [found, events] = await Promise.all([
    context.call(api.GET('/api/v1/resources', { params: { query: { type, id, limit: 1 } satisfies Query<'/api/v1/resources'> } })),
    context.call(api.GET('/api/v1/resource-events', { params: { query: { resourceType: type, resourceId: id, limit: options.limit ?? 20 } satisfies Query<'/api/v1/resource-events'> } })),
  ]);
  const resource = found.data[0];
  if (!resource) throw new CliError(t('error.noSuchResource', { type: t('type', { type }), id }), EXIT.failed, 'not_found');
  if (context.json) return out.document({ resource, events: events.data });
  const server = await context.call(api.GET('/api/v1/servers/{id}', { params: { path: { id: resource.serverId } } })).catch(() => null);
  out.details([
    [t('col.type'), t('type', { type: resource.type })],
    [t('col.name'), resource.name],
    [t('col.id'), resource.id],
    [t('col.organization'), `${resource.organizationName} (${resource.organizationId})`],
    [t('col.server'), server ? `${server.name} (${server.id})` : resource.serverId],
    [t('col.phase'), stateCell(t, resource.phase)],
    [t('col.generation'), t('resources.generation', { observed: resource.observedGeneration, generation: resource.generation })],
    [t('col.attempts'), String(resource.attempts)],
    [t('col.nextAttempt'), formatTime(resource.nextAttemptAt)],
    [t('col.updated'), formatTime(resource.updatedAt)],
    [t('col.error'), { text: orDash(resource.lastError), style: resource.lastError ? 'red' : undefined }],
  ]);
  out.line();
  out.line(t('resources.history'));
  if (events.data.length === 0) return out.line(t('events.none'));
  out.table(
    [{ header: t('col.when') }, { header: t('col.kind') }, { header: t('col.change') }, { header: t('col.generation'), align: 'right' }, { header: t('col.message'), shrink: true }],
    events.data.map((event) => [
      formatTime(event.at),
      event.kind,
      event.fromPhase || event.toPhase ? `${event.fromPhase ? t('state', { state: event.fromPhase }) : '∅'} → ${event.toPhase ? t('state', { state: event.toPhase }) : '∅'}` : '',
      String(event.generation),
      event.message ?? '',
    ]),
  );
}
