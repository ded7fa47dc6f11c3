#!/usr/bin/env node
import { Command } from 'commander';
import { ApiClient, ApiError } from './api-client.js';

/**
 * `ruche`: the sysadmins' command line. It talks to the API with a token
 * (RUCHE_URL, default http://127.0.0.1:3000; RUCHE_TOKEN, a token with provisioning:admin).
 */
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface Job {
  id: string;
  serverId: string;
  service: string;
  status: string;
  trigger: string;
  runAt: string | null;
  startedAt: string | null;
  durationMs: number | null;
  resourcesApplied: number;
  resourcesFailed: number;
  error: string | null;
}

interface Server {
  id: string;
  name: string;
  address: string;
  transport: string;
  services: string[];
  status: string;
  resourceCount?: number;
}

function client(): ApiClient {
  const token = process.env.RUCHE_TOKEN;
  if (!token) throw new ApiError(0, 'no_token', 'set RUCHE_TOKEN to an API token (POST /api/v1/tokens)');
  return new ApiClient(process.env.RUCHE_URL ?? 'http://127.0.0.1:3000', token, process.env.LANG?.startsWith('fr') ? 'fr' : 'en');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

const program = new Command('ruche').description('Ruche, for sysadmins: servers and the provisioning queue').version('0.1.0');

program
  .command('servers')
  .description('list servers and what they hold')
  .action(async () => {
    const page = await client().request<Page<Server>>('GET', '/api/v1/servers?limit=200');
    console.log(table([['ID', 'NAME', 'ADDRESS', 'TRANSPORT', 'SERVICES', 'STATUS', 'RESOURCES'], ...page.data.map((s) => [s.id, s.name, s.address, s.transport, s.services.join(','), s.status, String(s.resourceCount ?? '')])]));
  });

program
  .command('jobs')
  .description('list reconcile jobs')
  .option('--status <status>', 'queued, running, succeeded, failed or skipped')
  .option('--server <id>', 'only this server')
  .option('--limit <n>', 'how many', '20')
  .action(async (options: { status?: string; server?: string; limit: string }) => {
    const query = new URLSearchParams({ limit: options.limit, ...(options.status ? { status: options.status } : {}), ...(options.server ? { serverId: options.server } : {}) });
    const page = await client().request<Page<Job>>('GET', `/api/v1/jobs?${query}`);
    console.log(
      table([
        ['ID', 'SERVER', 'SERVICE', 'STATUS', 'TRIGGER', 'WHEN', 'MS', 'OK', 'FAILED', 'ERROR'],
        ...page.data.map((job) => [job.id, job.serverId, job.service, job.status, job.trigger, job.startedAt ?? job.runAt ?? '', String(job.durationMs ?? ''), String(job.resourcesApplied), String(job.resourcesFailed), (job.error ?? '').slice(0, 60)]),
      ]),
    );
  });

program
  .command('retry <type> <id>')
  .description('apply a failed resource again now (type: domain, site, mailbox, mail_alias, database, database_user)')
  .action(async (type: string, id: string) => {
    await client().request('POST', '/api/v1/jobs/retry', { resourceType: type, resourceId: id });
    console.log(`retry of ${type} ${id} queued`);
  });

program
  .command('resync [server]')
  .description('re-render a server (all servers without one) and repair drift')
  .action(async (server?: string) => {
    const answer = await client().request<{ queued: number }>('POST', server ? `/api/v1/servers/${server}/resync` : '/api/v1/jobs/resync', {});
    console.log(`${answer.queued} reconcile(s) queued`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ApiError) {
    process.stderr.write(`ruche: ${error.code}: ${error.message}\n`);
    process.exit(error.status === 0 ? 2 : 1);
  }
  throw error;
});
