import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('takes only resync intervals a schedule can keep exactly', () => {
    expect(loadConfig({ RUCHE_RESYNC_INTERVAL_MINUTES: '15' }).resyncIntervalMinutes).toBe(15);
    expect(loadConfig({ RUCHE_RESYNC_INTERVAL_MINUTES: '360' }).resyncIntervalMinutes).toBe(360);
    for (const bad of ['45', '90', '1000']) {
      expect(() => loadConfig({ RUCHE_RESYNC_INTERVAL_MINUTES: bad })).toThrow(/RUCHE_RESYNC_INTERVAL_MINUTES: must divide an hour/);
    }
  });

  it('reads the co-op’s invoicing settings, and refuses a number format without exactly one sequence', () => {
    const config = loadConfig({ RUCHE_COOP_ADDRESS: '1234 rue Saint-Denis\\nMontréal', RUCHE_INVOICE_NUMBER_FORMAT: 'F-{year}/{seq:6}', RUCHE_BILLING_ANCHOR_DAY: '15' });
    expect(config).toMatchObject({ coopAddressLines: ['1234 rue Saint-Denis', 'Montréal'], invoiceNumberFormat: 'F-{year}/{seq:6}', creditNoteNumberFormat: 'AV-{year}-{seq:5}', billingAnchorDay: 15, invoiceDueDays: 30 });
    expect(() => loadConfig({ RUCHE_INVOICE_NUMBER_FORMAT: '{year}' })).toThrow(/RUCHE_INVOICE_NUMBER_FORMAT: must hold \{seq\}/);
    expect(() => loadConfig({ RUCHE_INVOICE_NUMBER_FORMAT: '{seq}-{seq}' })).toThrow(/exactly once/);
    expect(() => loadConfig({ RUCHE_CREDIT_NOTE_NUMBER_FORMAT: 'AV {seq}' })).toThrow(/RUCHE_CREDIT_NOTE_NUMBER_FORMAT/);
    expect(() => loadConfig({ RUCHE_BILLING_ANCHOR_DAY: '29' })).toThrow(/RUCHE_BILLING_ANCHOR_DAY/);
  });
});
