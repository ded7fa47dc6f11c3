import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ProvisioningSettings } from '../provisioning.settings.js';

/** ssh2's key utilities, loaded when a key is first read: the API reads one only when a sysadmin asks. */
const ssh2 = (): typeof import('ssh2') => createRequire(import.meta.url)('ssh2');

export interface SshIdentity {
  privateKey: string;
  /** One OpenSSH line, for a server's authorized_keys. */
  publicKey: string;
}

/**
 * Ruche's one SSH key pair: RUCHE_SSH_PRIVATE_KEY_FILE, else generated once (ed25519) under
 * the data folder. The private key never leaves the process.
 */
export function loadSshIdentity(settings: Pick<ProvisioningSettings, 'sshPrivateKeyFile' | 'sshKeyGiven'>): SshIdentity {
  const file = settings.sshPrivateKeyFile;
  if (!existsSync(file)) {
    if (settings.sshKeyGiven) throw new Error(`RUCHE_SSH_PRIVATE_KEY_FILE: ${file} does not exist`);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const pair = generateUsablePair();
    try {
      writeFileSync(file, pair.private, { mode: 0o600, flag: 'wx' });
      writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
    } catch (error) {
      // Another Ruche process generated it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const privateKey = readFileSync(file, 'utf8');
  const parsed = ssh2().utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`${file}: not a private key Ruche can use (${parsed.message})`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  chmodSync(file, 0o600);
  const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')} ruche`;
  return { privateKey, publicKey };
}

/**
 * ssh2 writes about one ed25519 pair in 256 with its public key cut short (it strips a leading
 * zero byte: mscdex/ssh2#1513), and then cannot read it back. Keep only a pair it reads.
 */
function generateUsablePair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2().utils.generateKeyPairSync('ed25519', { comment: 'ruche' });
    if (!(ssh2().utils.parseKey(pair.private) instanceof Error) && !(ssh2().utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('could not generate a usable SSH key pair');
}

/** OpenSSH's fingerprint format: `SHA256:` and the unpadded base64 of the key's SHA-256. */
export function fingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}
