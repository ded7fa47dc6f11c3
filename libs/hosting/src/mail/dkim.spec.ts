import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimRecordName, dkimRecordValue, dkimSelector, DKIM_SELECTOR, publicKeyOf } from './dkim.js';

describe('DKIM records', () => {
  it('name a dated selector under _domainkey', () => {
    const selector = dkimSelector(new Date('2026-11-30T12:00:00Z'));
    expect(selector).toBe('ruche202611');
    expect(DKIM_SELECTOR.test(selector)).toBe(true);
    expect(dkimRecordName(selector)).toBe('ruche202611._domainkey');
  });

  it('publish the public half of the private key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const value = dkimRecordValue(publicKeyOf(pem));
    expect(value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    expect(() => dkimRecordValue('not base64; x')).toThrow();
  });
});
