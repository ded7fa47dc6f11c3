import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Option, type Command } from 'commander';
import { unwrap, type Body } from '../api/client.js';
import type { App, Context } from '../cli.js';
import { DEFAULT_URL, normalizeUrl, readLogin, removeLogin, writeLogin } from '../config.js';
import { ApiError, CliError, EXIT, UsageError } from '../errors.js';
import { ask, readAll } from '../ui/prompt.js';
import { integerOption, type Scope } from './common.js';

/**
 * What a sysadmin's token carries when the account holds it in every organisation: the
 * provisioning queue and servers, resources, and what imports will need (organisations,
 * people, the audit log). Nothing of billing or accounting.
 */
export const SYSADMIN_SCOPES: readonly Scope[] = ['hosting:read', 'hosting:write', 'provisioning:admin', 'organizations:admin', 'users:admin', 'audit:read'];

interface LoginOptions {
  email?: string;
  password?: string;
  passwordStdin?: boolean;
  otp?: string;
  recoveryCode?: string;
  name?: string;
  days?: number;
  scopes?: Scope[];
}

export function registerLogin(program: Command, app: App): void {
  const { t } = app;
  program
    .command('login')
    .description(t('cmd.login'))
    .option('--email <email>', t('opt.login.email'))
    .option('--password <password>', t('opt.login.password'))
    .option('--password-stdin', t('opt.login.passwordStdin'))
    .option('--otp <code>', t('opt.login.otp'))
    .option('--recovery-code <code>', t('opt.login.recoveryCode'))
    .option('--name <name>', t('opt.login.name'))
    .addOption(integerOption(t, '--days <days>', t('opt.login.days'), 0, 3650))
    .addOption(new Option('--scopes <scopes>', t('opt.login.scopes')).argParser((value) => value.split(',').map((scope) => scope.trim() as Scope)))
    .addHelpText('after', `\n${t('help.login')}\n`)
    .action(app.action(login));

  program
    .command('logout')
    .description(t('cmd.logout'))
    .action(app.action(logout));
}

async function login(context: Context, options: LoginOptions): Promise<void> {
  const { t, io, out } = context;
  if (options.password !== undefined && options.passwordStdin) throw new UsageError(t('usage.conflictingOption', { name: '--password', other: '--password-stdin' }));
  const target = await context.target();
  const interactive = io.stdin.isTTY === true;
  const terminal = { input: io.stdin, output: io.stderr };
  const missing = (name: string): never => {
    throw new UsageError(t('usage.needsTerminal', { name }));
  };
  // The address: --url, RUCHE_URL or the last login's; asked for only when none was given.
  const url = normalizeUrl(target.urlFrom === 'default' && interactive ? await ask(terminal, t('login.askUrl'), { initial: DEFAULT_URL }) : target.url);
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(t('usage.invalidUrl', { value: url }));
  const email = options.email ?? (interactive ? await ask(terminal, t('login.askEmail'), { initial: target.stored?.email }) : missing('--email'));
  const password =
    options.password ?? (options.passwordStdin ? await readAll(io.stdin) : interactive ? await ask(terminal, t('login.askPassword'), { hidden: true }) : missing('--password-stdin'));
  if (!email || !password) throw new UsageError(t('usage.missingMandatoryOption', { name: email ? '--password' : '--email' }));

  const api = context.anonymousApi(url);
  const unreachable = (reason: string) => t('error.unreachable', { url, reason });
  const signIn = async (second: { otp?: string; recoveryCode?: string }) => {
    const call = api.POST('/api/v1/auth/login', { body: { email, password, otp: second.otp, recoveryCode: second.recoveryCode } satisfies Body<'/api/v1/auth/login', 'post'> });
    const session = await unwrap(call, unreachable);
    const answer = await call;
    const cookie = answer.response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0]!)
      .join('; ');
    return { cookie, csrfToken: session.csrfToken, user: session.user };
  };
  const secondFactor = (code: string) => (/^\d{6}$/.test(code) ? { otp: code } : { recoveryCode: code });
  let session;
  try {
    session = await signIn(options.otp ? { otp: options.otp } : options.recoveryCode ? { recoveryCode: options.recoveryCode } : {});
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'two_factor_required')) throw error;
    const code = interactive ? await ask(terminal, t('login.askOtp'), { hidden: true }) : missing('--otp');
    session = await signIn(secondFactor(code.replace(/\s+/g, '')));
  }
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
  try {
    const me = await unwrap(api.GET('/api/v1/auth/me', { headers }), unreachable);
    const wanted = options.scopes ?? SYSADMIN_SCOPES;
    const lacking = wanted.filter((scope) => !me.scopes.includes(scope));
    const scopes = wanted.filter((scope) => me.scopes.includes(scope));
    if (options.scopes && lacking.length > 0) throw new CliError(t('login.lacksScopes', { scopes: lacking.join(', ') }), EXIT.forbidden, 'scope_not_allowed');
    if (scopes.length === 0) throw new CliError(t('login.noScopes', { email: me.user.email }), EXIT.forbidden, 'scope_not_allowed');
    const days = options.days ?? 90;
    const name = options.name ?? t('login.tokenName', { host: os.hostname(), user: os.userInfo().username });
    const created = await unwrap(
      api.POST('/api/v1/tokens', {
        body: { name: name.slice(0, 100), scopes, expiresAt: days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined } satisfies Body<'/api/v1/tokens', 'post'>,
        headers: { ...headers, 'idempotency-key': randomUUID() },
      }),
      unreachable,
    );
    await writeLogin(context.configFile, {
      url,
      token: created.token,
      tokenId: created.id,
      tokenName: created.name,
      email: me.user.email,
      scopes: created.scopes,
      expiresAt: created.expiresAt,
      savedAt: new Date().toISOString(),
    });
    if (context.json) {
      out.document({ url, email: me.user.email, tokenId: created.id, tokenName: created.name, scopes: created.scopes, expiresAt: created.expiresAt, configFile: context.configFile });
    } else {
      out.line(t('login.done', { url, email: me.user.email }));
      out.line(t('login.stored', { name: created.name, scopes: created.scopes.join(', '), file: context.configFile, expires: created.expiresAt ? created.expiresAt.slice(0, 10) : 'never' }));
      if (lacking.length > 0) out.line(t('login.without', { scopes: lacking.join(', ') }));
    }
    // The token this replaces is of no more use to anyone: revoked, so tokens do not pile up.
    const previous = target.stored;
    if (previous && previous.token !== created.token && normalizeUrl(previous.url) === url) {
      await api.DELETE('/api/v1/tokens/current', { headers: { authorization: `Bearer ${previous.token}` } }).catch(() => undefined);
    }
    if (io.env.RUCHE_TOKEN) out.warn(t('warn.envTokenWins'));
  } finally {
    // The session only served to make the token: it ends here, whatever happened.
    await api.POST('/api/v1/auth/logout', { headers }).catch(() => undefined);
  }
}

async function logout(context: Context): Promise<void> {
  const { t, out } = context;
  // A file that cannot be read holds nothing usable: it goes, and there is no token to revoke.
  const stored = await readLogin(context.configFile).catch(async () => {
    await removeLogin(context.configFile);
    return null;
  });
  if (!stored) {
    if (context.json) out.document({ signedOut: false, revoked: false, configFile: context.configFile });
    else out.line(t('logout.notSignedIn', { file: context.configFile }));
    if (context.io.env.RUCHE_TOKEN) out.warn(t('warn.envTokenStays'));
    return;
  }
  const api = context.anonymousApi(stored.url);
  let revoked = false;
  try {
    const answer = await api.DELETE('/api/v1/tokens/current', { headers: { authorization: `Bearer ${stored.token}` } });
    // 401: the token was already revoked or expired, which is what signing out wants.
    revoked = answer.response.ok || answer.response.status === 401;
    if (!revoked) out.warn(t('logout.notRevoked', { url: stored.url, reason: `HTTP ${answer.response.status}` }));
  } catch (error) {
    out.warn(t('logout.notRevoked', { url: stored.url, reason: (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message }));
  }
  await removeLogin(context.configFile);
  if (context.json) out.document({ signedOut: true, revoked, url: stored.url, configFile: context.configFile });
  else out.line(t(revoked ? 'logout.done' : 'logout.removedOnly', { url: stored.url, file: context.configFile }));
  if (context.io.env.RUCHE_TOKEN) out.warn(t('warn.envTokenStays'));
}
