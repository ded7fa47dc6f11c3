import { describe, expect, it } from 'vitest';
import { loadConfig } from '@ruche/core';
import { PROVISIONING_SETTINGS } from './provisioning.settings.js';

const load = (env: Record<string, string>) => PROVISIONING_SETTINGS.of(loadConfig(env, '/srv/ruche', [PROVISIONING_SETTINGS]));

describe('provisioning settings', () => {
  it('take only resync intervals a schedule can keep exactly', () => {
    expect(load({ RUCHE_RESYNC_INTERVAL_MINUTES: '15' }).resyncIntervalMinutes).toBe(15);
    expect(load({ RUCHE_RESYNC_INTERVAL_MINUTES: '360' }).resyncIntervalMinutes).toBe(360);
    for (const bad of ['45', '90', '1000']) {
      expect(() => load({ RUCHE_RESYNC_INTERVAL_MINUTES: bad })).toThrow(/RUCHE_RESYNC_INTERVAL_MINUTES: must divide an hour/);
    }
  });

  it('keep the SSH key under the data folder unless one is given, relative to where Ruche starts', () => {
    expect(load({})).toMatchObject({ sshPrivateKeyFile: '/srv/ruche/var/ssh/id_ed25519', sshKeyGiven: false });
    expect(load({ RUCHE_SSH_PRIVATE_KEY_FILE: 'keys/ruche' })).toMatchObject({ sshPrivateKeyFile: '/srv/ruche/keys/ruche', sshKeyGiven: true });
  });
});
