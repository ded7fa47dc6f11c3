import { describe, expect, it } from 'vitest';
import type { DesiredStateReader, HostingSettings, Server } from '@ruche/hosting';
import { RELEASE_NAME, type CommandResult, type RunOptions, type ServerConnection } from '../../transports/connection.js';
import { KnotDriver } from './knot.driver.js';

/** Answers the first command (the flat-layout listing) with `listed`, records every command. */
function recordingConnection(listed: string) {
  const calls: Array<{ argv: string[]; input: string | undefined }> = [];
  const connection = {
    server: { name: 'here' } as Server,
    runsCommands: true,
    run: async (argv: string[], options: RunOptions = {}): Promise<CommandResult> => {
      calls.push({ argv, input: options.input === undefined ? undefined : String(options.input) });
      return { exitCode: 0, stdout: calls.length === 1 ? listed : '', stderr: '' };
    },
  } as unknown as ServerConnection;
  return { connection, calls };
}

const driver = new KnotDriver({} as DesiredStateReader, { nameservers: ['ns1.example.org'], hostmaster: 'hostmaster.example.org' } as HostingSettings);

describe("Knot's set-up", () => {
  it('does nothing more when no zone file is in zones/ itself', async () => {
    const { connection, calls } = recordingConnection('');
    await driver.prepare(connection);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.argv.slice(-2)).toEqual(['/etc/knot/ruche.releases', '/etc/knot/ruche']);
  });

  it("moves an earlier layout's zones to their subfolders in a new release, leaving a stray file's odd name alone", async () => {
    const { connection, calls } = recordingConnection('a.org\nb.org\ncopy of a.org\n*.org\n');
    await driver.prepare(connection);
    expect(calls).toHaveLength(2);
    // sha256("a.org") starts d9, sha256("b.org") 8c.
    expect(calls[1]!.input).toBe('d9 a.org\n8c b.org\n');
    const [release, live] = calls[1]!.argv.slice(-2);
    expect(live).toBe('/etc/knot/ruche');
    expect(release!.startsWith('/etc/knot/ruche.releases/')).toBe(true);
    expect(release!.split('/').pop()).toMatch(RELEASE_NAME);
  });
});
