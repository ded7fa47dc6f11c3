import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { Body, Query } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { UsageError } from '../errors.js';
import { formatTime, orDash } from '../ui/output.js';
import { allServers, choiceOption, integerOption, listOption, resolveServer, SERVICES, stateCell, TRANSPORTS, type Server, type Service, type Transport } from './common.js';
import { intervalOption, jobColumns, jobRow, watchQueue, type WatchOptions } from './jobs.js';
import { registerDrain } from './moves.js';

interface AddOptions {
  address: string;
  port?: number;
  transport?: Transport;
  services: Service[];
  ipv4?: string;
  ipv6?: string;
  hostname?: string;
  sshUser?: string;
  fingerprint?: string;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

export function registerServers(program: Command, app: App): void {
  const { t } = app;
  const servers = program.command('servers').description(t('cmd.servers'));

  servers
    .command('list', { isDefault: true })
    .allowExcessArguments(true)
    .description(t('cmd.servers.list'))
    .action(app.action(list));

  servers
    .command('show')
    .description(t('cmd.servers.show'))
    .argument('<server>', t('arg.server'))
    .action(app.action(show));

  servers
    .command('add')
    .description(t('cmd.servers.add'))
    .argument('<name>', t('arg.serverName'))
    .requiredOption('--address <address>', t('opt.servers.address'))
    .addOption(listOption(t, '--services <services>', t('opt.servers.services'), SERVICES).makeOptionMandatory())
    .addOption(choiceOption(t, '--transport <transport>', t('opt.servers.transport'), TRANSPORTS))
    .addOption(integerOption(t, '--port <port>', t('opt.servers.port'), 1, 65535))
    .option('--fingerprint <fingerprint>', t('opt.servers.fingerprint'))
    .option('--ssh-user <user>', t('opt.servers.sshUser'))
    .option('--ipv4 <address>', t('opt.servers.ipv4'))
    .option('--ipv6 <address>', t('opt.servers.ipv6'))
    .option('--hostname <name>', t('opt.servers.hostname'))
    .addHelpText('after', `\n${t('help.servers.add')}\n`)
    .action(app.action(add));

  servers
    .command('key')
    .description(t('cmd.servers.key'))
    .action(app.action(publicKey));

  servers
    .command('pause')
    .description(t('cmd.servers.pause'))
    .argument('<server>', t('arg.server'))
    .action(app.action((context, reference: string) => setStatus(context, reference, 'paused')));

  servers
    .command('resume')
    .description(t('cmd.servers.resume'))
    .argument('<server>', t('arg.server'))
    .action(app.action((context, reference: string) => setStatus(context, reference, 'active')));

  servers
    .command('resync')
    .description(t('cmd.servers.resync'))
    .argument('[server]', t('arg.serverOptional'))
    .addOption(new Option('--all', t('opt.servers.resyncAll')))
    .addOption(new Option('--watch', t('opt.watchAfter')))
    .addOption(intervalOption(t))
    .addOption(integerOption(t, '--timeout <seconds>', t('opt.timeout'), 1, 86_400))
    .action(app.action(resync));

  registerDrain(servers, app);

  servers
    .command('remove')
    .description(t('cmd.servers.remove'))
    .argument('<server>', t('arg.server'))
    .action(app.action(remove));
}

function serverRow(context: Context, server: Server) {
  return [server.name, server.id, `${server.address}:${server.port}`, server.transport, server.services.join(','), stateCell(context.t, server.status), String(server.resourceCount ?? 0)];
}

async function list(context: Context): Promise<void> {
  const { t, out } = context;
  const servers = await allServers(context);
  if (context.json) return out.document({ data: servers, nextCursor: null });
  if (servers.length === 0) return out.line(t('servers.none'));
  out.table(
    [{ header: t('col.name') }, { header: t('col.id') }, { header: t('col.address') }, { header: t('col.transport') }, { header: t('col.services') }, { header: t('col.status') }, { header: t('col.resources'), align: 'right' }],
    servers.map((server) => serverRow(context, server)),
  );
}

async function show(context: Context, reference: string): Promise<void> {
  const { t, out } = context;
  const api = await context.api();
  const found = await resolveServer(context, reference);
  const [server, jobs, events] = await Promise.all([
    context.call(api.GET('/api/v1/servers/{id}', { params: { path: { id: found.id } } })),
    context.call(api.GET('/api/v1/jobs', { params: { query: { serverId: found.id, limit: 5 } satisfies Query<'/api/v1/jobs'> } })),
    context.call(api.GET('/api/v1/server-events', { params: { query: { serverId: found.id, limit: 5 } satisfies Query<'/api/v1/server-events'> } })),
  ]);
  if (context.json) return out.document({ server, recentJobs: jobs.data, recentEvents: events.data });
  out.details([
    [t('col.name'), server.name],
    [t('col.id'), server.id],
    [t('col.status'), stateCell(t, server.status)],
    [t('col.address'), `${server.address}:${server.port}`],
    [t('col.transport'), server.transport],
    [t('col.sshUser'), server.sshUser],
    [t('col.hostKey'), orDash(server.hostKeyFingerprint)],
    [t('col.services'), server.services.join(', ')],
    [t('col.resources'), String(server.resourceCount ?? 0)],
    [t('col.publicAddresses'), [server.publicIpv4, server.publicIpv6, server.publicHostname].filter(Boolean).join(', ') || '—'],
    [t('col.created'), formatTime(server.createdAt)],
    [t('col.updated'), formatTime(server.updatedAt)],
  ]);
  out.line();
  out.line(t('servers.recentJobs'));
  if (jobs.data.length === 0) out.line(t('jobs.none'));
  else out.table(jobColumns(t), jobs.data.map((job) => jobRow(t, job, () => server.name)));
  out.line();
  out.line(t('servers.recentEvents'));
  if (events.data.length === 0) out.line(t('events.none'));
  else out.table([{ header: t('col.when') }, { header: t('col.service') }, { header: t('col.kind') }, { header: t('col.message'), shrink: true }], events.data.map((event) => [formatTime(event.at), event.service, event.kind, event.message]));
}

async function add(context: Context, name: string, options: AddOptions): Promise<void> {
  const { t, out } = context;
  const transport = options.transport ?? 'ssh';
  if (options.fingerprint !== undefined && !FINGERPRINT.test(options.fingerprint)) throw new UsageError(t('usage.invalidFingerprint', { value: options.fingerprint }));
  if (options.fingerprint !== undefined && transport !== 'ssh') throw new UsageError(t('usage.fingerprintNeedsSsh'));
  const api = await context.api();
  const server = await context.call(
    api.POST('/api/v1/servers', {
      body: {
        name,
        address: options.address,
        transport,
        services: options.services,
        // Left out of the JSON when not given: the API's defaults apply (port 22, root).
        port: options.port,
        sshUser: options.sshUser,
        hostKeyFingerprint: options.fingerprint,
        publicIpv4: options.ipv4,
        publicIpv6: options.ipv6,
        publicHostname: options.hostname,
      } satisfies Body<'/api/v1/servers', 'post'>,
      headers: { 'idempotency-key': randomUUID() },
    }),
  );
  const pinned = server.hostKeyFingerprint;
  const hostKey = pinned === null ? 'none' : options.fingerprint ? 'given' : 'seen';
  if (context.json) return out.document({ server, hostKey: { fingerprint: pinned, pinned: hostKey } });
  out.line(t('servers.added', { name: server.name, id: server.id, services: server.services.join(', ') }));
  if (hostKey === 'none') out.line(t('servers.noHostKey', { transport: server.transport }));
  else if (hostKey === 'given') out.line(t('servers.pinnedGiven', { fingerprint: pinned }));
  else out.line(t('servers.pinnedSeen', { fingerprint: pinned, name: server.name }));
}

async function publicKey(context: Context): Promise<void> {
  const api = await context.api();
  const answer = await context.call(api.GET('/api/v1/servers/ssh-public-key'));
  if (context.json) return context.out.document(answer);
  context.out.line(answer.publicKey.trim());
}

async function setStatus(context: Context, reference: string, status: 'paused' | 'active'): Promise<void> {
  const { t, out } = context;
  const api = await context.api();
  const found = await resolveServer(context, reference);
  const server = await context.call(api.PATCH('/api/v1/servers/{id}', { params: { path: { id: found.id } }, body: { status } satisfies Body<'/api/v1/servers/{id}', 'patch'> }));
  if (context.json) return out.document(server);
  out.line(t(status === 'paused' ? 'servers.paused' : 'servers.resumed', { name: server.name }));
}

async function resync(context: Context, reference: string | undefined, options: { all?: boolean; watch?: boolean } & WatchOptions): Promise<void> {
  const { t, out } = context;
  if (!reference && !options.all) throw new UsageError(t('usage.serverOrAll'));
  if (reference && options.all) throw new UsageError(t('usage.conflictingOption', { name: '<server>', other: '--all' }));
  const api = await context.api();
  const server = reference ? await resolveServer(context, reference) : null;
  const request = server ? api.POST('/api/v1/servers/{id}/resync', { params: { path: { id: server.id } } }) : api.POST('/api/v1/jobs/resync');
  const answer = await context.call(request);
  if (options.watch) {
    if (!context.json) out.line(t('servers.resyncQueued', { count: answer.queued, name: server?.name ?? '__all' }));
    // The API's clock, less a second (its Date header has whole seconds): the runs this resync queued.
    const date = Date.parse((await request).response.headers.get('date') ?? '');
    return watchQueue(context, { ...options, server: server?.id, ...(Number.isNaN(date) ? {} : { since: date - 1000 }) });
  }
  if (context.json) return out.document({ queued: answer.queued, serverId: server?.id ?? null });
  out.line(t('servers.resyncQueued', { count: answer.queued, name: server?.name ?? '__all' }));
}

async function remove(context: Context, reference: string): Promise<void> {
  const { t, out } = context;
  const api = await context.api();
  const server = await resolveServer(context, reference);
  await context.call(api.DELETE('/api/v1/servers/{id}', { params: { path: { id: server.id } } }));
  if (context.json) return out.document({ removed: { id: server.id, name: server.name } });
  out.line(t('servers.removed', { name: server.name }));
}
