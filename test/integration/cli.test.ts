import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { makeServers, makeToken } from '../support/factories.js';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../apps/cli/dist/main.js');

/** The `ruche` command against a listening API (the built CLI, as sysadmins run it). */
let api: TestApi;
let url: string;
let token: string;

beforeAll(async () => {
  api = await startTestApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.getHttpServer().address() as { port: number };
  url = `http://127.0.0.1:${address.port}`;
  const admin = await api.admin();
  await makeServers(admin, 'cli');
  token = (await makeToken(api, admin, { scopes: ['provisioning:admin'] })).token;
});
afterAll(() => api?.close());

const ruche = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [cli, ...args], { env: { ...process.env, RUCHE_URL: url, RUCHE_TOKEN: token, LANG: 'en_CA.UTF-8', ...env } });

describe('the ruche command', () => {
  it('lists servers and queues a resync', async () => {
    const servers = await ruche(['servers']);
    expect(servers.stdout).toMatch(/^ID\s+NAME\s+ADDRESS/);
    expect(servers.stdout).toContain('web-cli');
    const resync = await ruche(['resync']);
    expect(resync.stdout).toMatch(/^\d+ reconcile\(s\) queued/);
    const jobs = await ruche(['jobs', '--status', 'queued']);
    expect(jobs.stdout.split('\n').filter((line) => /\squeued\s/.test(line)).length).toBeGreaterThan(0);
  });

  it('fails with a message and a non-zero exit on a bad token or bad input', async () => {
    await expect(ruche(['servers'], { RUCHE_TOKEN: 'rch_wrong' })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/unauthenticated/) });
    await expect(ruche(['retry', 'site', 'not-an-id'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/validation_failed: .*\n  resourceId: /) });
    await expect(ruche(['retry', 'site', '01a20000-0000-7000-8000-000000000000'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/not_found/) });
    await expect(ruche(['servers'], { RUCHE_TOKEN: '' })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/RUCHE_TOKEN/) });
  });
});
