import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { hash, Algorithm } from '@node-rs/argon2';

/**
 * Service passwords are stored only as the verifier each service reads, so Ruche never keeps
 * a client's mailbox or database password.
 */

/** Dovecot's ARGON2ID scheme (libsodium needs one lane). */
export async function dovecotPasswordHash(password: string): Promise<string> {
  const encoded = await hash(password, { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  return `{ARGON2ID}${encoded}`;
}

/** MariaDB's mysql_native_password: `*` + SHA1(SHA1(password)) in hex. */
export function mariadbPasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/** PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802/7677), as `CREATE ROLE … PASSWORD` accepts it. */
export function postgresScramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export function databasePasswordVerifier(engine: 'mariadb' | 'postgresql', password: string): string {
  return engine === 'mariadb' ? mariadbPasswordHash(password) : postgresScramVerifier(password);
}

/** A password for people who did not choose one: 24 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(24)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
