import { describe, expect, it } from 'vitest';
import { configFile, DEFAULT_URL, resolveTarget, type StoredLogin } from './config.js';

const stored: StoredLogin = {
  url: 'https://ruche.coop.example',
  token: 'rch_stored',
  tokenId: 'id',
  tokenName: 'ruche on host',
  email: 'admin@coop.example',
  scopes: ['provisioning:admin'],
  expiresAt: null,
  savedAt: '2026-11-30T00:00:00Z',
};

describe('where the ruche command keeps its login', () => {
  it('is under XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    expect(configFile({ XDG_CONFIG_HOME: '/home/ana/.cfg', HOME: '/home/ana' })).toBe('/home/ana/.cfg/ruche/config.json');
    expect(configFile({ XDG_CONFIG_HOME: 'relative', HOME: '/home/ana' })).toBe('/home/ana/.config/ruche/config.json');
    expect(configFile({ HOME: '/root' })).toBe('/root/.config/ruche/config.json');
  });
});

describe('which API and token a command uses', () => {
  it('takes --url, then RUCHE_URL, then the stored address, then the default', () => {
    expect(resolveTarget({ url: 'http://a' }, { RUCHE_URL: 'http://b' }, stored)).toMatchObject({ url: 'http://a', urlFrom: 'option' });
    expect(resolveTarget({}, { RUCHE_URL: 'http://b' }, stored)).toMatchObject({ url: 'http://b', urlFrom: 'environment' });
    expect(resolveTarget({}, {}, stored)).toMatchObject({ url: stored.url, urlFrom: 'config', token: 'rch_stored', tokenFrom: 'config' });
    expect(resolveTarget({}, {}, null)).toEqual({ url: DEFAULT_URL, urlFrom: 'default', token: null, tokenFrom: null });
  });

  it('lets RUCHE_TOKEN win over the stored token', () => {
    expect(resolveTarget({}, { RUCHE_TOKEN: 'rch_env' }, stored)).toMatchObject({ token: 'rch_env', tokenFrom: 'environment' });
  });

  it('never sends the stored token to another API than the one it was made on', () => {
    expect(resolveTarget({ url: 'https://elsewhere.example' }, {}, stored)).toMatchObject({ token: null });
    expect(resolveTarget({ url: 'https://ruche.coop.example/' }, {}, stored)).toMatchObject({ token: 'rch_stored' });
  });
});
