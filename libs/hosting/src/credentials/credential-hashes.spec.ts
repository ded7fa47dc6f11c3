import { describe, expect, it } from 'vitest';
import { verify } from '@node-rs/argon2';
import { dovecotPasswordHash, generatePassword, mariadbPasswordHash, postgresScramVerifier } from './credential-hashes.js';

describe('service password verifiers', () => {
  it('match MariaDB’s own PASSWORD() output', () => {
    // SELECT PASSWORD('password') on MariaDB 10.x
    expect(mariadbPasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it('build a SCRAM-SHA-256 verifier in PostgreSQL’s format', () => {
    const verifier = postgresScramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    // RFC 7677's test vector: same password, salt and iteration count.
    expect(verifier).toBe('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  });

  it('hash for Dovecot with argon2id, verifiable', async () => {
    const hashed = await dovecotPasswordHash('correct horse battery');
    expect(hashed).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(hashed.slice('{ARGON2ID}'.length), 'correct horse battery')).toBe(true);
  });

  it('generate long random passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z2-9]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
