import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';
import md5Crypt from 'apache-md5';
import { verify as verifyShaCrypt } from 'unixcrypt';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * Checks a password against its stored hash: argon2id (what Ruche makes), or a scheme carried
 * over from another panel (AlternC): bcrypt (`$2y$`, `$2b$`, `$2a$`), sha512-crypt or
 * sha256-crypt (`$6$`, `$5$`), md5-crypt (`$1$`). Those are replaced at the next successful
 * sign-in (`passwordNeedsRehash`).
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    if (passwordHash.startsWith('$argon2')) return await verify(passwordHash, password);
    if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(passwordHash)) return await verifyBcrypt(password, passwordHash.replace(/^\$2y\$/, '$2b$'));
    if (/^\$[56]\$(rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]+$/.test(passwordHash)) return verifyShaCrypt(password, passwordHash);
    if (/^\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}$/.test(passwordHash)) return safeEqual(md5Crypt(password, passwordHash), passwordHash);
    return false;
  } catch {
    return false;
  }
}

/** True for a hash in a scheme Ruche only accepts to carry accounts over: replace it once the password is known. */
export function passwordNeedsRehash(passwordHash: string): boolean {
  return !passwordHash.startsWith('$argon2id$');
}

/** A hash to verify against when the account does not exist, so timing does not tell. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash;
}

/** Random tokens (sessions, API tokens, invitations) carry 256 bits; a fast hash is enough at rest. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
