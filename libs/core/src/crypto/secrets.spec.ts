import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordNeedsRehash, verifyPassword } from './secrets.js';

const openssl = (scheme: string, password: string) => execFileSync('openssl', ['passwd', scheme, '-salt', 'Kb0rE7.x', password]).toString().trim();

describe('passwords', () => {
  it('are argon2id when Ruche makes them, and need nothing more', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse')).toBe(true);
    expect(await verifyPassword(hash, 'wrong horse')).toBe(false);
    expect(passwordNeedsRehash(hash)).toBe(false);
  });

  it('carried over from AlternC (md5-crypt, sha512-crypt, bcrypt) are verified, and marked to be replaced', async () => {
    const carried = [
      openssl('-1', 'vieux secret'),
      openssl('-6', 'vieux secret'),
      openssl('-5', 'vieux secret'),
      // bcrypt as PHP (AlternC) writes it, $2y$, made by libxcrypt's crypt(3).
      '$2y$04$abcdefghijklmnopqrstuuWbsaRB1eBoHLNiKyNPCJALLI91CNPM6',
    ];
    for (const hash of carried) {
      expect(await verifyPassword(hash, 'vieux secret'), hash).toBe(true);
      expect(await verifyPassword(hash, 'autre secret'), hash).toBe(false);
      expect(passwordNeedsRehash(hash)).toBe(true);
    }
  });

  it('refuse anything else, including a hash cut short', async () => {
    expect(await verifyPassword('', 'x')).toBe(false);
    expect(await verifyPassword('plain-text', 'plain-text')).toBe(false);
    expect(await verifyPassword(openssl('-1', 'x').slice(0, -2), 'x')).toBe(false);
  });
});
