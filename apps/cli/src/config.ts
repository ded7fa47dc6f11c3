import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What `ruche login` keeps: where the API is and the token made for this machine. */
export interface StoredLogin {
  url: string;
  token: string;
  tokenId: string;
  tokenName: string;
  email: string;
  scopes: string[];
  expiresAt: string | null;
  savedAt: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** `$XDG_CONFIG_HOME/ruche/config.json`, else `~/.config/ruche/config.json` (the XDG rule: a relative XDG_CONFIG_HOME is ignored). */
export function configFile(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'ruche', 'config.json');
}

export async function readLogin(file: string): Promise<StoredLogin | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const value = JSON.parse(text) as Partial<StoredLogin>;
  if (typeof value.url !== 'string' || typeof value.token !== 'string') return null;
  return value as StoredLogin;
}

/** Whether others than its owner may read the file (it holds a token): the caller warns. */
export async function readableByOthers(file: string): Promise<boolean> {
  try {
    return ((await stat(file)).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** Written whole (a temporary file renamed over the old one), 0600 in a 0700 folder, before any byte of the token lands. */
export async function writeLogin(file: string, login: StoredLogin): Promise<void> {
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = path.join(folder, `.config.json.${process.pid}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    // The mode given at creation is filtered by the umask; 0600 is what we want whatever it is.
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function removeLogin(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export interface Target {
  url: string;
  /** Where the address came from: `ruche login` asks for one only when nothing gave it. */
  urlFrom: 'option' | 'environment' | 'config' | 'default';
  token: string | null;
  /** Where the token came from, for messages: the environment wins over the stored login. */
  tokenFrom: 'environment' | 'config' | null;
}

/** RUCHE_URL and RUCHE_TOKEN override what `ruche login` stored; `--url` overrides both. */
export function resolveTarget(options: { url?: string | undefined }, env: NodeJS.ProcessEnv, stored: StoredLogin | null): Target {
  const [url, urlFrom] = options.url
    ? ([options.url, 'option'] as const)
    : env.RUCHE_URL
      ? ([env.RUCHE_URL, 'environment'] as const)
      : stored?.url
        ? ([stored.url, 'config'] as const)
        : ([DEFAULT_URL, 'default'] as const);
  if (env.RUCHE_TOKEN) return { url, urlFrom, token: env.RUCHE_TOKEN, tokenFrom: 'environment' };
  // A stored token belongs to the API it was made on: never sent to another one.
  if (stored && normalizeUrl(stored.url) === normalizeUrl(url)) return { url, urlFrom, token: stored.token, tokenFrom: 'config' };
  return { url, urlFrom, token: null, tokenFrom: null };
}

export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
