import { describe, expect, it } from 'vitest';
import { AddressError, parseExternalAddress, parseLocalAddress } from './mail-address.js';
import { isSafeDocumentRoot, prefixFromName, DATABASE_FULL_NAME } from './identifiers.js';

const problem = (fn: () => unknown) => {
  try {
    return fn();
  } catch (error) {
    if (error instanceof AddressError) return error.problem;
    throw error;
  }
};

describe('mail addresses', () => {
  it('normalise local addresses, Unicode domains included', () => {
    expect(parseLocalAddress('Info@Café.ca')).toEqual({ localPart: 'info', domain: 'xn--caf-dma.ca', address: 'info@xn--caf-dma.ca' });
    expect(parseLocalAddress('first.last+tag@example.org').localPart).toBe('first.last+tag');
  });

  it.each([
    ['no-at-sign', 'address_invalid'],
    ['@example.org', 'address_invalid'],
    ['a@', 'address_invalid'],
    ['.dot@example.org', 'local_part_invalid'],
    ['dot.@example.org', 'local_part_invalid'],
    ['two..dots@example.org', 'local_part_invalid'],
    ['sp ace@example.org', 'local_part_invalid'],
    ['"quoted"@example.org', 'local_part_invalid'],
    ['comma,x@example.org', 'local_part_invalid'],
    [`${'a'.repeat(65)}@example.org`, 'local_part_too_long'],
    ['a@bad_domain.org', 'address_domain_invalid'],
    ['a@localhost', 'address_domain_invalid'],
  ])('refuse %s', (input, expected) => {
    expect(problem(() => parseLocalAddress(input))).toBe(expected);
  });

  it('accept a 64-character local part and a catch-all only when asked', () => {
    expect(problem(() => parseLocalAddress(`${'a'.repeat(64)}@example.org`))).toMatchObject({ localPart: 'a'.repeat(64) });
    expect(problem(() => parseLocalAddress('*@example.org'))).toBe('local_part_invalid');
    expect(parseLocalAddress('*@example.org', { allowCatchAll: true }).address).toBe('*@example.org');
  });

  it('accept the wider dot-atom for external destinations', () => {
    expect(parseExternalAddress("o'brien+x@Example.NET")).toBe("o'brien+x@example.net");
    expect(problem(() => parseExternalAddress('a b@example.net'))).toBe('local_part_invalid');
  });
});

describe('identifiers', () => {
  it('derive organisation prefixes safe for database names', () => {
    expect(prefixFromName('Café Solidaire de Montréal')).toBe('cafesoli');
    expect(prefixFromName('42 Ruelles')).toBe('ruelles');
    expect(prefixFromName('!!')).toBe('org');
    expect(DATABASE_FULL_NAME.test(`${prefixFromName('Café Solidaire')}_wordpress`)).toBe(true);
  });

  it('keep document roots inside the organisation’s space', () => {
    expect(isSafeDocumentRoot('www')).toBe(true);
    expect(isSafeDocumentRoot('sites/blog.example.org/public')).toBe(true);
    for (const bad of ['', '/etc', '../x', 'a/../../x', 'a//b', '.hidden', 'a/./b', 'a b', 'a/b/', 'x\u0000']) {
      expect(isSafeDocumentRoot(bad), bad).toBe(false);
    }
  });
});
