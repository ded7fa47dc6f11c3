import { Option, type Command } from 'commander';
import { collect, type paths, type Query } from '../api/client.js';
import type { Context } from '../cli.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { I18n } from '../i18n/i18n.js';
import type { Style } from '../ui/text.js';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;
/** The JSON an operation answers on success, from the OpenAPI document. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A } ? Json<A> : R extends { 201: infer A } ? Json<A> : R extends { 202: infer A } ? Json<A> : never
  : never;
export type Item<P extends keyof paths> = Answer<P, 'get' & keyof paths[P]> extends { data: Array<infer I> } ? I : never;

export type Server = Answer<'/api/v1/servers/{id}', 'get'>;
export type Job = Item<'/api/v1/jobs'>;
export type ResourceSummary = Item<'/api/v1/resources'>;
export type ServerEvent = Item<'/api/v1/server-events'>;
export type ResourceEvent = Item<'/api/v1/resource-events'>;

export type ResourceType = NonNullable<Query<'/api/v1/resources'>['type']>;
export type Phase = NonNullable<Query<'/api/v1/resources'>['phase']>;
export type JobStatus = NonNullable<Query<'/api/v1/jobs'>['status']>;
export type Service = NonNullable<Query<'/api/v1/jobs'>['service']>;
export type ServerEventKind = NonNullable<Query<'/api/v1/server-events'>['kind']>;
type CreateServer = NonNullable<paths['/api/v1/servers']['post']['requestBody']>['content']['application/json'];
export type Transport = CreateServer['transport'];
export type Scope = NonNullable<paths['/api/v1/tokens']['post']['requestBody']>['content']['application/json']['scopes'][number];

/**
 * The values the command line accepts, checked against the API's types both ways: a value the
 * API drops or adds fails this build (`Exactly`), so the CLI never offers what the API refuses.
 */
type Exactly<Have, Want> = [Have] extends [Want] ? ([Want] extends [Have] ? readonly Have[] : never) : never;
const list = <Want>() => <const L extends readonly Want[]>(values: L & Exactly<L[number], Want>): readonly Want[] => values;
export const RESOURCE_TYPES = list<ResourceType>()(['domain', 'site', 'mailbox', 'mail_alias', 'database', 'database_user']);
export const PHASES = list<Phase>()(['pending', 'applying', 'ready', 'failed', 'deleting']);
export const JOB_STATUSES = list<JobStatus>()(['queued', 'running', 'succeeded', 'failed', 'skipped']);
export const SERVICES = list<Service>()(['web', 'dns', 'mail', 'mariadb', 'postgresql']);
export const TRANSPORTS = list<Transport>()(['ssh', 'docker', 'local']);
export const SERVER_EVENT_KINDS = list<ServerEventKind>()(['unreachable', 'release_refused', 'command_failed', 'cleanup_skipped']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export function uuidArgument(t: I18n['t'], name: string, value: string): string {
  if (!isUuid(value)) throw new UsageError(t('usage.invalidId', { name, value }));
  return value.toLowerCase();
}

export function choice<T extends string>(t: I18n['t'], name: string, choices: readonly T[], value: string): T {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(t('usage.invalidChoice', { name, value, choices: choices.join(', ') }));
  return value as T;
}

/** An option taking one of `choices`, checked as the command line is read (exit 2). */
export function choiceOption<T extends string>(t: I18n['t'], flags: string, description: string, choices: readonly T[]): Option {
  const name = flags.split(' ')[0]!;
  return new Option(flags, `${description} (${choices.join(', ')})`).argParser((value) => choice(t, name, choices, value));
}

/** A comma-separated list of `choices` (`--services web,dns`). */
export function listOption<T extends string>(t: I18n['t'], flags: string, description: string, choices: readonly T[]): Option {
  const name = flags.split(' ')[0]!;
  return new Option(flags, `${description} (${choices.join(', ')})`).argParser((value) =>
    value.split(',').map((part) => choice(t, name, choices, part.trim())),
  );
}

export function integerOption(t: I18n['t'], flags: string, description: string, min: number, max: number): Option {
  const name = flags.split(' ')[0]!;
  return new Option(flags, description).argParser((value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) throw new UsageError(t('usage.invalidNumber', { name, value, min, max }));
    return number;
  });
}

/** `--limit`, `--all` and `--cursor`, the same on every list. */
export function withPages(command: Command, t: I18n['t'], defaultLimit: number): Command {
  return command
    .addOption(integerOption(t, '--limit <n>', t('opt.limit', { default: defaultLimit }), 1, 10_000))
    .addOption(new Option('--all', t('opt.all')))
    .addOption(new Option('--cursor <cursor>', t('opt.cursor')));
}
export interface PageOptions {
  limit?: number;
  all?: boolean;
  cursor?: string;
}

const serversOf = new WeakMap<Context, Promise<Server[]>>();

/** Every server (few: one page of 200 holds a co-op's fleet, and more pages are followed), read once per command. */
export function allServers(context: Context): Promise<Server[]> {
  let servers = serversOf.get(context);
  if (!servers) {
    servers = (async () => {
      const api = await context.api();
      const page = await collect(
        (cursor, limit) => context.call(api.GET('/api/v1/servers', { params: { query: { limit, cursor } satisfies Query<'/api/v1/servers'> } })),
        { limit: Infinity, all: true },
      );
      return page.data;
    })();
    serversOf.set(context, servers);
  }
  return servers;
}

/** A server named by its id or its name (what people type). */
export async function resolveServer(context: Context, reference: string): Promise<Server> {
  const api = await context.api();
  if (isUuid(reference)) return context.call(api.GET('/api/v1/servers/{id}', { params: { path: { id: reference.toLowerCase() } } }));
  const wanted = reference.trim().toLowerCase();
  const server = (await allServers(context)).find((candidate) => candidate.name === wanted);
  if (!server) throw new CliError(context.t('error.noSuchServer', { name: reference }), EXIT.failed, 'not_found');
  return server;
}

/** Server names for tables that only hold ids; an id stays as it is when its server is gone. */
export async function serverNames(context: Context): Promise<(id: string) => string> {
  const names = new Map((await allServers(context)).map((server) => [server.id, server.name]));
  return (id) => names.get(id) ?? id;
}

const STYLES: Record<string, Style> = {
  ready: 'green',
  succeeded: 'green',
  active: 'green',
  failed: 'red',
  pending: 'yellow',
  applying: 'yellow',
  running: 'yellow',
  queued: 'cyan',
  deleting: 'yellow',
  paused: 'yellow',
  draining: 'yellow',
  skipped: 'dim',
};

/** A phase or status in the user's language, coloured by what it means. */
export function stateCell(t: I18n['t'], state: string): { text: string; style?: Style } {
  return { text: t('state', { state }), style: STYLES[state] };
}
