import { describe, expect, it } from 'vitest';
import type { DesiredStateReader, ResourceOutcomes, ResourceState } from '@ruche/hosting';
import type { RenderedUnit } from '../driver.js';
import { NginxDriver } from './nginx.driver.js';

// The verdict reads nginx's output only: the driver's database-facing parts are not used.
const driver = new NginxDriver({} as DesiredStateReader, {} as ResourceOutcomes);
const stale = '01a23c87-2446-743d-bf9d-abb6b85e8e5e';
const taker = '01a23c87-1dec-7425-bb9b-12c5425f1a5d';
const unit = (id: string): RenderedUnit => ({ resource: { id, type: 'site' } as ResourceState, files: new Map() });
const release = '/etc/nginx/ruche.releases/20261203152900123-0a1b2c3d';
/** nginx -t's answer when two files claim a name: it names the one it read second. */
const conflict = (second: string, first: string) => ({
  exitCode: 1,
  stdout: `ruche-first-claim ${first} a.claim.org\n`,
  stderr: `2026/12/03 15:29:40 [emerg] 2457#2457: conflicting parameter "a.claim.org" in ${release}/sites/dc/${second}.conf:3\n`,
});

describe("nginx's verdict on a name two sites claim", () => {
  it('blames the failed site whose last good file still claims it, whichever file nginx read first', () => {
    // Only the site taking the name is in the release; the other's file is its last good one.
    for (const [second, first] of [
      [taker, stale],
      [stale, taker],
    ]) {
      const verdict = driver.verdict(conflict(second!, first!), [unit(taker)]);
      expect(verdict.general).toBeNull();
      expect([...verdict.byResource.keys()]).toEqual([stale]);
      expect(verdict.byResource.get(stale)).toBe(`another site now serves a name its last good configuration still claimed (conflicting parameter "a.claim.org" in sites/dc/${second}.conf:3)`);
    }
  });

  it('blames the second file nginx read when both sites are in the release', () => {
    const verdict = driver.verdict(conflict(stale, taker), [unit(taker), unit(stale)]);
    expect([...verdict.byResource]).toEqual([[stale, `conflicting parameter "a.claim.org" in sites/dc/${stale}.conf:3`]]);
  });
});
