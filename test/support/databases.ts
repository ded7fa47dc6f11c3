import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { expect } from 'vitest';
import type { TestServer } from '@ruche/infra/fleet';
import { eventually } from './fleet-harness.js';
import type { Caller } from './test-api.js';

export type Engine = 'mariadb' | 'postgresql';
export const ENGINES: Engine[] = ['mariadb', 'postgresql'];

export interface Login {
  user: string;
  password: string;
  database: string;
}

/** What each engine answers a login to a database the user has no right to, and a wrong password. */
export const REFUSED = {
  mariadb: { database: 'ER_DBACCESS_DENIED_ERROR', password: 'ER_ACCESS_DENIED_ERROR' },
  postgresql: { database: '42501', password: '28P01' },
} as const;

export interface OpenSession {
  sql(text: string): Promise<Array<Record<string, unknown>>>;
  end(): Promise<void>;
}

/**
 * A client program on the machine logs in to the server's engine through its port published on
 * 127.0.0.1, as the database user (mysql2, pg).
 */
export async function connect(server: TestServer, engine: Engine, login: Login): Promise<OpenSession> {
  if (engine === 'mariadb') {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: server.ports.mariadb!, ...login, connectTimeout: 5_000 });
    connection.on('error', () => undefined);
    return {
      sql: async (text) => (await connection.query(text))[0] as Array<Record<string, unknown>>,
      end: () => connection.end().catch(() => undefined),
    };
  }
  const client = new pg.Client({ host: '127.0.0.1', port: server.ports.postgresql!, ...login, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  return { sql: async (text) => (await client.query(text)).rows as Array<Record<string, unknown>>, end: () => client.end().catch(() => undefined) };
}

/** Logs in, runs `work`, logs out. */
export async function session<T>(server: TestServer, engine: Engine, login: Login, work: (sql: OpenSession['sql']) => Promise<T>): Promise<T> {
  const open = await connect(server, engine, login);
  try {
    return await work(open.sql);
  } finally {
    await open.end();
  }
}

/** Null when the login works, else the engine's error code. */
export async function refusal(server: TestServer, engine: Engine, login: Login): Promise<string | null> {
  try {
    await session(server, engine, login, (sql) => sql('SELECT 1'));
    return null;
  } catch (error) {
    return String((error as { code?: string }).code ?? (error as Error).message);
  }
}

/** Runs SQL on the server as the engine's administrator, as a sysadmin would by hand. */
export async function asAdministrator(server: TestServer, engine: Engine, sql: string): Promise<void> {
  const result = engine === 'mariadb' ? await server.exec(['mariadb', '--batch'], { input: sql }) : await server.exec(['psql', '-X', '-v', 'ON_ERROR_STOP=1'], { input: sql, user: 'postgres' });
  expect(result.exitCode, result.stderr).toBe(0);
}

export const unique = () => randomBytes(3).toString('hex');

/** A database of the organisation's, live on the server. */
export async function liveDatabase(caller: Caller, organizationId: string, engine: Engine, name = `db${unique()}`) {
  const created = await caller.post('/api/v1/databases', { organizationId, engine, name });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return phaseOf(caller, `/api/v1/databases/${created.body.id}`, 'ready') as Promise<{ id: string; name: string; storageBytes: number; serverId: string }>;
}

/** A user of the organisation's with its own password, granted `databases`, live on the server. */
export async function liveUser(caller: Caller, organizationId: string, engine: Engine, databases: string[], name = `u${unique()}`) {
  const password = `pw-${unique()}-${unique()}`;
  const created = await caller.post('/api/v1/database-users', { organizationId, engine, name, password, databases });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const user = (await phaseOf(caller, `/api/v1/database-users/${created.body.id}`, 'ready')) as { id: string; name: string };
  return { ...user, password };
}

export function phaseOf(caller: Caller, path: string, phase: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  return eventually(
    async () => {
      const now = await caller.get(path);
      if (now.body.phase === 'failed' && phase !== 'failed') throw new Error(`${path} failed: ${now.body.lastError}`);
      return now.body.phase === phase ? now.body : null;
    },
    timeoutMs,
    `${path} to be ${phase}`,
  );
}
