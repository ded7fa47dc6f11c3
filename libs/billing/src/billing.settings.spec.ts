import { describe, expect, it } from 'vitest';
import { loadConfig } from '@ruche/core';
import { BILLING_SETTINGS } from './billing.settings.js';

const load = (env: Record<string, string>) => BILLING_SETTINGS.of(loadConfig(env, '/srv/ruche', [BILLING_SETTINGS]));

describe('billing settings', () => {
  it('reads the co-op’s invoicing settings, and refuses a number format without exactly one sequence', () => {
    const config = load({ RUCHE_COOP_ADDRESS: '1234 rue Saint-Denis\\nMontréal', RUCHE_INVOICE_NUMBER_FORMAT: 'F-{year}/{seq:6}', RUCHE_BILLING_ANCHOR_DAY: '15' });
    expect(config).toMatchObject({ coopAddressLines: ['1234 rue Saint-Denis', 'Montréal'], invoiceNumberFormat: 'F-{year}/{seq:6}', creditNoteNumberFormat: 'AV-{year}-{seq:5}', billingAnchorDay: 15, invoiceDueDays: 30 });
    expect(() => load({ RUCHE_INVOICE_NUMBER_FORMAT: '{year}' })).toThrow(/RUCHE_INVOICE_NUMBER_FORMAT: must hold \{seq\}/);
    expect(() => load({ RUCHE_INVOICE_NUMBER_FORMAT: '{seq}-{seq}' })).toThrow(/exactly once/);
    expect(() => load({ RUCHE_CREDIT_NOTE_NUMBER_FORMAT: 'AV {seq}' })).toThrow(/RUCHE_CREDIT_NOTE_NUMBER_FORMAT/);
    expect(() => load({ RUCHE_BILLING_ANCHOR_DAY: '29' })).toThrow(/RUCHE_BILLING_ANCHOR_DAY/);
  });
});
