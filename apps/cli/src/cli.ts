import { Command, CommanderError, Option } from 'commander';
import { createApi, unwrap, type Api } from './api/client.js';
import { configFile, readableByOthers, readLogin, resolveTarget, type StoredLogin, type Target } from './config.js';
import { ApiError, CliError, EXIT, UsageError } from './errors.js';
import { createI18n, LANGUAGE_TAGS, LOCALES, pickLocale, type I18n } from './i18n/i18n.js';
import type { MessageKey } from './i18n/messages.en.js';
import { Output } from './ui/output.js';
import { clean } from './ui/text.js';
import { registerLogin } from './commands/login.js';
import { registerServers } from './commands/servers.js';
import { registerJobs } from './commands/jobs.js';
import { registerResources } from './commands/resources.js';
import { registerEvents } from './commands/events.js';
import { registerImports } from './commands/imports.js';
import { registerMoves } from './commands/moves.js';
import { CLI_VERSION } from './api/client.js';

/** What the command runs in: its arguments, environment and streams (a test passes its own). */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborted on Ctrl-C once a command called `catchInterrupts` (watch, follow): it ends cleanly. */
  interrupt: AbortSignal;
  catchInterrupts(): void;
}

interface GlobalOptions {
  json?: boolean;
  lang?: string;
  url?: string;
  color?: boolean;
}

/** What a command's action gets: words, output, and the API once it needs it. */
export interface Context {
  io: Io;
  i18n: I18n;
  t: I18n['t'];
  out: Output;
  json: boolean;
  configFile: string;
  /** The API address and token to use (`--url`, RUCHE_URL, RUCHE_TOKEN, the stored login). */
  target(): Promise<Target & { stored: StoredLogin | null }>;
  /** The typed client, signed in; exit 3 with a hint when there is no token. */
  api(): Promise<Api>;
  /** A typed client without a token (signing in). */
  anonymousApi(url: string): Api;
  /** The exit code once the command ends normally (a watch that saw failures: 1). */
  exit(code: number): void;
  /** The answer's data, or the API's error (its message already in the user's language). */
  call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
}

export interface App {
  i18n: I18n;
  t: I18n['t'];
  /** Wraps an action: builds its context from the global options and the command's own. */
  action<A extends unknown[]>(handler: (context: Context, ...args: A) => Promise<void>): (...args: unknown[]) => Promise<void>;
}

/** Runs `ruche` with these arguments and answers its exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const i18n = createI18n(pickLocale(argv, io.env));
  const { t } = i18n;
  let outputForErrors = new Output(io.stdout, io.stderr, argv.includes('--json'), false);
  let exitCode: number = EXIT.ok;

  const app: App = {
    i18n,
    t,
    action: (handler) => async (...args) => {
      const command = args[args.length - 1] as Command;
      // A group's default command (`ruche servers` lists) takes no words: one is a mistyped command.
      if (command.registeredArguments.length === 0 && command.args.length > 0) throw new UsageError(t('usage.unknownCommand', { name: command.args[0]! }));
      const globals = command.optsWithGlobals<GlobalOptions>();
      const json = globals.json === true;
      const color = globals.color !== false && !json && io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
      const out = new Output(io.stdout, io.stderr, json, color);
      outputForErrors = out;
      const file = configFile(io.env);
      let targetCache: (Target & { stored: StoredLogin | null }) | undefined;
      const unreachable = (url: string) => (reason: string) => t('error.unreachable', { url, reason });
      const context: Context = {
        io,
        i18n,
        t,
        out,
        json,
        configFile: file,
        async target() {
          if (!targetCache) {
            const stored = await readLogin(file).catch(() => {
              throw new CliError(t('error.configUnreadable', { file }), EXIT.failed, 'config_unreadable');
            });
            if (stored && (await readableByOthers(file))) out.warn(t('warn.configReadable', { file }));
            targetCache = { ...resolveTarget({ url: globals.url }, io.env, stored), stored };
          }
          return targetCache;
        },
        async api() {
          const target = await context.target();
          if (!target.token) throw new CliError(t('error.notSignedIn', { url: target.url }), EXIT.unauthenticated, 'not_signed_in');
          return createApi({ url: target.url, token: target.token, languageTag: LANGUAGE_TAGS[i18n.locale] });
        },
        exit: (code) => {
          exitCode = code;
        },
        anonymousApi: (url) => createApi({ url, languageTag: LANGUAGE_TAGS[i18n.locale] }),
        async call(request) {
          const target = await context.target();
          return unwrap(request, unreachable(target.url));
        },
      };
      await handler(context, ...(args.slice(0, -1) as never));
    },
  };

  const program = buildProgram(app, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    exitCode = report(error, outputForErrors, i18n, program, argv);
  }
  return exitCode;
}

/** One line on standard error (`ruche: <code>: <message>`), details under it, and the exit code. */
function report(error: unknown, out: Output, i18n: I18n, program: Command, argv: readonly string[]): number {
  const { t } = i18n;
  if (error instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return EXIT.ok;
    // `ruche help jobs` asked for help (0); `ruche import` alone got it on standard error (2).
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    out.warn(`usage: ${usageMessage(error, t)}`);
    out.warn(t('usage.seeHelp', { command: commandPath(program, argv) }));
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    if (error.exitCode === EXIT.interrupted && !error.message) return error.exitCode;
    const lines = [`${error.code}: ${clean(error.message)}`];
    if (error instanceof ApiError) {
      for (const detail of error.details) lines.push(`  ${detail.field ?? ''}: ${clean(detail.message ?? detail.code ?? '')}`);
      if (error.exitCode === EXIT.unauthenticated) lines.push(t('error.signInAgain'));
      if (error.requestId && error.status >= 500) lines.push(t('error.requestId', { id: error.requestId }));
    }
    out.warn(lines.join('\n'));
    if (error instanceof UsageError) out.warn(t('usage.seeHelp', { command: commandPath(program, argv) }));
    return error.exitCode;
  }
  out.warn(`internal_error: ${(error as Error)?.stack ?? String(error)}`);
  return EXIT.failed;
}

/** Commander's error, in the user's language (the names it quotes are kept). */
function usageMessage(error: CommanderError, t: I18n['t']): string {
  const quoted = [...error.message.matchAll(/'([^']*)'/g)].map((match) => match[1]!);
  const keys: Record<string, MessageKey> = {
    'commander.unknownOption': 'usage.unknownOption',
    'commander.unknownCommand': 'usage.unknownCommand',
    'commander.missingArgument': 'usage.missingArgument',
    'commander.optionMissingArgument': 'usage.optionMissingArgument',
    'commander.missingMandatoryOptionValue': 'usage.missingMandatoryOption',
    'commander.excessArguments': 'usage.excessArguments',
    'commander.conflictingOption': 'usage.conflictingOption',
  };
  const key = keys[error.code];
  return key ? t(key, { name: quoted[0] ?? '', other: quoted[1] ?? '' }) : error.message.replace(/^error: /, '');
}

/** `ruche servers add`: the commands named on the line (words that are not commands, such as option values, are skipped). */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = [program.name()];
  let command = program;
  for (const arg of argv) {
    if (arg === '--') break;
    const next = arg.startsWith('-') ? undefined : command.commands.find((sub) => sub.name() === arg || sub.aliases().includes(arg));
    if (next) {
      names.push(next.name());
      command = next;
    }
  }
  return names.join(' ');
}

const HELP_TITLES: Record<string, MessageKey> = {
  'Usage:': 'help.usage',
  'Arguments:': 'help.arguments',
  'Options:': 'help.options',
  'Commands:': 'help.commands',
  'Global Options:': 'help.globalOptions',
};

export function buildProgram(app: App, io: Pick<Io, 'stdout' | 'stderr'>): Command {
  const { t } = app;
  const program = new Command('ruche');
  // Set before any command is made: commander copies these to each one as it is created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's own error lines are English: ours replace them (see usageMessage).
      outputError: () => undefined,
    })
    .description(t('program.description'))
    .version(CLI_VERSION, '-V, --version', t('opt.version'))
    .helpOption('-h, --help', t('opt.help'))
    .helpCommand('help [command]', t('cmd.help'))
    // Commander's titles in the user's language; every command made after this inherits it.
    .configureHelp({ showGlobalOptions: true, styleTitle: (title: string) => (HELP_TITLES[title] ? t(HELP_TITLES[title]) : title) })
    .addOption(new Option('--json', t('opt.json')))
    .addOption(new Option('--lang <language>', t('opt.lang')).argParser((value) => {
      if (!(LOCALES as readonly string[]).includes(value)) throw new UsageError(t('usage.invalidChoice', { name: '--lang', value, choices: LOCALES.join(', ') }));
      return value;
    }))
    .addOption(new Option('--url <url>', t('opt.url')))
    .addOption(new Option('--no-color', t('opt.noColor')))
    .addHelpText('after', `\n${t('help.after')}\n`)
    .showSuggestionAfterError(false);
  registerLogin(program, app);
  registerServers(program, app);
  registerJobs(program, app);
  registerResources(program, app);
  registerEvents(program, app);
  registerImports(program, app);
  registerMoves(program, app);
  return program;
}
