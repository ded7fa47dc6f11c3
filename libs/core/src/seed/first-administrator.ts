import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config.js';
import { newId } from '../database/ids.js';
import { hashPassword } from '../crypto/secrets.js';
import { User } from '../users/user.entity.js';
import { STAFF_ROLES } from '../auth/actor.js';

/**
 * On an empty database, creates the first administrator (every staff role). The password is
 * RUCHE_ADMIN_PASSWORD, or a random one returned here so the caller prints it once.
 */
export async function seedFirstAdministrator(dataSource: DataSource, config: Config): Promise<{ email: string; password: string | null } | null> {
  return dataSource.transaction(async (manager) => {
    // Serialise concurrent first starts (API and worker launched together).
    await manager.query('SELECT pg_advisory_xact_lock(72616369)');
    if ((await manager.getRepository(User).count()) > 0) return null;
    const password = config.adminPassword ?? randomBytes(15).toString('base64url');
    await manager.getRepository(User).insert({
      id: newId(),
      email: config.adminEmail,
      displayName: 'Administrator',
      locale: config.defaultLocale,
      passwordHash: await hashPassword(password),
      staffRoles: [...STAFF_ROLES],
    });
    return { email: config.adminEmail, password: config.adminPassword ? null : password };
  });
}
