import { describe, expect, it } from 'vitest';
import { wholeReleaseRefusal } from './driver.js';

const result = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });

describe('wholeReleaseRefusal', () => {
  it('passes a release the checker accepted', () => {
    expect(wholeReleaseRefusal({ byResource: new Map(), general: null }, result(0), 'dns')).toBeNull();
  });

  it('leaves a failure blamed on resources to per-resource isolation', () => {
    expect(wholeReleaseRefusal({ byResource: new Map([['id', 'bad zone']]), general: null }, result(1), 'dns')).toBeNull();
  });

  it("refuses with the checker's words when no resource is to blame", () => {
    expect(wholeReleaseRefusal({ byResource: new Map(), general: 'syntax error' }, result(1), 'web')).toBe('syntax error');
  });

  it('refuses a checker that failed in silence (killed by a signal): silence is not a pass', () => {
    expect(wholeReleaseRefusal({ byResource: new Map(), general: '' }, result(137), 'dns')).toBe('the dns check failed (exit status 137) without saying why');
    expect(wholeReleaseRefusal({ byResource: new Map(), general: null }, result(1), 'web')).toMatch(/web check failed/);
  });
});
