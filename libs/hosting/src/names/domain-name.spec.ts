import { describe, expect, it } from 'vitest';
import { ancestors, isWithin, NameError, parseDomainName, parseHostName, type NameProblem } from './domain-name.js';

const problem = (fn: () => unknown): NameProblem | 'ok' => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof NameError) return error.problem;
    throw error;
  }
};

describe('parseDomainName', () => {
  it('keeps a plain name, lowercased, without its trailing dot', () => {
    expect(parseDomainName('Example.ORG.')).toEqual({ ascii: 'example.org', unicode: 'example.org', registrable: 'example.org' });
  });

  it('stores internationalised names both ways, whichever form comes in', () => {
    const fromUnicode = parseDomainName('Café-Bistro.CA');
    expect(fromUnicode).toMatchObject({ ascii: 'xn--caf-bistro-d7a.ca', unicode: 'café-bistro.ca' });
    expect(parseDomainName('xn--caf-bistro-d7a.ca')).toEqual(fromUnicode);
    expect(parseDomainName('québec.example.org')).toMatchObject({ ascii: 'xn--qubec-csa.example.org', registrable: 'example.org' });
    expect(parseDomainName('ÉCOLE.qc.ca').ascii).toBe('xn--cole-9oa.qc.ca');
  });

  it('accepts labels of 63 characters and names of 253, not more', () => {
    const label63 = 'a'.repeat(63);
    expect(problem(() => parseDomainName(`${label63}.org`))).toBe('ok');
    expect(problem(() => parseDomainName(`${'a'.repeat(64)}.org`))).toBe('label_too_long');
    // 61 + 63 + 63 + 59 + "org" and four dots: exactly 253.
    const name253 = `${'a'.repeat(61)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.org`;
    expect(name253.length).toBe(253);
    expect(problem(() => parseDomainName(name253))).toBe('ok');
    expect(problem(() => parseDomainName(`a${name253}`))).toBe('name_too_long');
  });

  it.each<[string, NameProblem]>([
    ['', 'name_empty'],
    ['   ', 'name_empty'],
    ['.', 'name_empty'],
    ['example..org', 'label_empty'],
    ['-example.org', 'label_invalid'],
    ['example-.org', 'label_invalid'],
    ['ex--ample.org', 'label_invalid'],
    ['exa_mple.org', 'label_invalid'],
    ['exa mple.org', 'label_invalid'],
    ['*.example.org', 'wildcard_not_allowed'],
    ['ex*ample.org', 'wildcard_not_allowed'],
    ['localhost', 'single_label'],
    ['org', 'single_label'],
    ['example.123', 'numeric_tld'],
    ['192.168.1.1', 'numeric_tld'],
    ['co.uk', 'public_suffix'],
    ['qc.ca', 'public_suffix'],
    ['github.io', 'public_suffix'],
    ['example.notatld', 'unknown_tld'],
    ['xn--zz.org', 'idn_invalid'],
  ])('refuses %j (%s)', (input, expected) => {
    expect(problem(() => parseDomainName(input))).toBe(expected);
  });

  it('accepts subdomains of registrable names, and private suffixes', () => {
    expect(parseDomainName('blog.example.co.uk')).toMatchObject({ registrable: 'example.co.uk' });
    expect(parseDomainName('coop.github.io').registrable).toBe('coop.github.io');
  });
});

describe('parseHostName', () => {
  it('accepts host names and refuses wildcards', () => {
    expect(parseHostName('WWW.Example.org.')).toBe('www.example.org');
    expect(problem(() => parseHostName('*.example.org'))).toBe('wildcard_not_allowed');
  });
});

describe('name helpers', () => {
  it('tell whether a name is within another', () => {
    expect(isWithin('www.example.org', 'example.org')).toBe(true);
    expect(isWithin('example.org', 'example.org')).toBe(true);
    expect(isWithin('badexample.org', 'example.org')).toBe(false);
  });

  it('list ancestors nearest first', () => {
    expect(ancestors('a.b.example.org')).toEqual(['b.example.org', 'example.org', 'org']);
  });
});
