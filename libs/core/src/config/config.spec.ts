import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { defineSettings } from './settings.js';

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    const config = loadConfig({}, '/srv/ruche');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      dataDir: '/srv/ruche/var',
      adminEmail: 'admin@ruche.localhost',
      publicUrl: 'http://127.0.0.1:3000',
      cookieSecure: false,
    });
  });

  it('names every bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', RUCHE_REQUIRE_STAFF_2FA: 'maybe', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT:/);
      expect((error as Error).message).toMatch(/RUCHE_REQUIRE_STAFF_2FA:/);
      expect((error as Error).message).toMatch(/DATABASE_URL: must be a postgres/);
    }
  });

  it('treats empty values as unset and reads flags', () => {
    const config = loadConfig({ PORT: '', RUCHE_REQUIRE_STAFF_2FA: 'yes', RUCHE_PUBLIC_URL: 'https://panel.example.coop/' });
    expect(config.port).toBe(3000);
    expect(config.requireStaff2fa).toBe(true);
    expect(config.publicUrl).toBe('https://panel.example.coop');
    expect(config.cookieSecure).toBe(true);
  });

  it('refuses a short admin password', () => {
    expect(() => loadConfig({ RUCHE_ADMIN_PASSWORD: 'short' })).toThrow(/RUCHE_ADMIN_PASSWORD: must be at least 12/);
  });

  it("checks the features' own settings with core's, and names every bad one", () => {
    const feature = defineSettings('radio', { RUCHE_RADIO_WATTS: z.coerce.number().int().min(1).default(100) }, (values, { core }) => ({ watts: values.RUCHE_RADIO_WATTS, dataDir: core.dataDir }));
    const config = loadConfig({ RUCHE_RADIO_WATTS: '250' }, '/srv/ruche', [feature]);
    expect(feature.of(config)).toEqual({ watts: 250, dataDir: '/srv/ruche/var' });
    expect(() => loadConfig({ PORT: 'x', RUCHE_RADIO_WATTS: '0' }, '/srv/ruche', [feature])).toThrow(/PORT:[\s\S]*RUCHE_RADIO_WATTS:/);
    expect(() => feature.of(loadConfig({}))).toThrow(/radio settings were not loaded/);
    const twin = defineSettings('twin', { RUCHE_RADIO_WATTS: z.string() }, () => ({}));
    expect(() => loadConfig({}, '/', [feature, twin])).toThrow(/RUCHE_RADIO_WATTS is declared twice/);
  });

});
