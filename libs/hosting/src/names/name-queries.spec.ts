import { describe, expect, it } from 'vitest';
import { belowPattern } from './name-queries.js';

describe('belowPattern', () => {
  it('matches, on reversed names, everything strictly below a name and nothing else', () => {
    const like = (value: string, pattern: string) =>
      new RegExp(`^${pattern.replace(/\\([\\%_])|([%_])|([.*+?^${}()|[\]])/g, (_m, escaped, wild, special) => (escaped ? `\\${escaped}` : wild === '%' ? '.*' : wild === '_' ? '.' : `\\${special}`))}$`).test(value);
    const reversed = (name: string) => [...name].reverse().join('');
    const pattern = belowPattern('example.org');
    expect(pattern).toBe('gro.elpmaxe.%');
    expect(like(reversed('blog.example.org'), pattern)).toBe(true);
    expect(like(reversed('a.b.example.org'), pattern)).toBe(true);
    expect(like(reversed('example.org'), pattern)).toBe(false);
    expect(like(reversed('badexample.org'), pattern)).toBe(false);
    expect(belowPattern('a_b.org')).toBe('gro.b\\_a.%');
  });
});
