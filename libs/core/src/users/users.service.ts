import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config, type Locale } from '../config/config.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { newId } from '../database/ids.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { AuditService } from '../audit/audit.service.js';
import { paginate, mapPage, type Page, type PageQuery } from '../http/pagination.js';
import type { StaffRole } from '../auth/actor.js';
import { Session } from '../auth/session.entity.js';
import { User } from './user.entity.js';
import { InvitationsService } from './invitations.service.js';
import type { UserDto } from './user.schemas.js';

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    locale: user.locale,
    staffRoles: user.staffRoles,
    twoFactorEnabled: user.totpSecret !== null,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function auditView(user: User) {
  return { email: user.email, displayName: user.displayName, locale: user.locale, staffRoles: user.staffRoles, disabled: user.disabledAt !== null };
}

export interface NewUser {
  email: string;
  displayName?: string | undefined;
  locale?: Locale | undefined;
  staffRoles?: StaffRole[];
}

@Injectable()
export class UsersService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly invitations: InvitationsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /**
   * Staff open an account (staff roles, for one) without a password; an account invitation
   * goes to the address, whose holder chooses the password. The link is in that mail only
   * (and in the staff support view of invitations).
   */
  async create(input: NewUser): Promise<User> {
    const users = this.db.getRepository(User);
    const id = newId();
    const inserted = await users
      .createQueryBuilder()
      .insert()
      .values({
        id,
        email: input.email,
        displayName: input.displayName ?? input.email.split('@')[0]!,
        locale: input.locale ?? this.config.defaultLocale,
        passwordHash: null,
        staffRoles: [...new Set(input.staffRoles ?? [])],
      })
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length === 0) throw new Conflict('email_taken');
    const user = await users.findOneByOrFail({ id });
    await this.audit.record({ action: 'user.create', targetType: 'user', targetId: id, after: auditView(user) });
    await this.invitations.invite({ email: user.email, organizationId: null, role: null, locale: user.locale });
    return user;
  }

  /**
   * An account carried over from another panel with the password hash it had there (bcrypt,
   * sha-crypt or md5-crypt: sign-in accepts them and rehashes to argon2id at the first
   * success). No invitation mail: the person signs in with the password they know. An
   * address that already has an account keeps it as it is.
   */
  async adopt(input: { email: string; displayName?: string | undefined; locale?: Locale | undefined; passwordHash: string | null }): Promise<User> {
    const existing = await this.findByEmail(input.email);
    if (existing) return existing;
    const id = newId();
    await this.db
      .getRepository(User)
      .createQueryBuilder()
      .insert()
      .values({
        id,
        email: input.email,
        displayName: input.displayName ?? input.email.split('@')[0]!,
        locale: input.locale ?? this.config.defaultLocale,
        passwordHash: input.passwordHash,
        staffRoles: [],
      })
      .orIgnore()
      .execute();
    const user = await this.findByEmail(input.email);
    if (!user) throw new Conflict('email_taken');
    if (user.id === id) await this.audit.record({ action: 'user.adopt', targetType: 'user', targetId: id, after: auditView(user) });
    return user;
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.db.getRepository(User).findOneBy({ email });
  }

  async get(id: string): Promise<User> {
    const user = await this.db.getRepository(User).findOneBy({ id });
    if (!user) throw new NotFound();
    return user;
  }

  async list(query: PageQuery & { email?: string | undefined; staffRole?: StaffRole | undefined }): Promise<Page<UserDto>> {
    const qb = this.db.getRepository(User).createQueryBuilder('u');
    if (query.email) qb.andWhere('u.email = :email', { email: query.email.toLowerCase() });
    if (query.staffRole) qb.andWhere(':role = ANY(u.staffRoles)', { role: query.staffRole });
    return mapPage(await paginate(qb, query), toUserDto);
  }

  async update(
    id: string,
    changes: { displayName?: string | undefined; locale?: Locale | undefined; staffRoles?: StaffRole[] | undefined; disabled?: boolean | undefined },
  ): Promise<User> {
    const users = this.db.getRepository(User);
    const before = await users.createQueryBuilder('u').setLock('pessimistic_write').where('u.id = :id', { id }).getOne();
    if (!before) throw new NotFound();
    const patch: Partial<User> = {};
    if (changes.displayName !== undefined) patch.displayName = changes.displayName;
    if (changes.locale !== undefined) patch.locale = changes.locale;
    if (changes.staffRoles !== undefined) patch.staffRoles = [...new Set(changes.staffRoles)];
    if (changes.disabled !== undefined) patch.disabledAt = changes.disabled ? (before.disabledAt ?? new Date()) : null;
    if (Object.keys(patch).length > 0) await users.update({ id }, patch);
    if (changes.disabled) await this.db.getRepository(Session).delete({ userId: id });
    const after = await users.findOneByOrFail({ id });
    await this.audit.record({ action: 'user.update', targetType: 'user', targetId: id, before: auditView(before), after: auditView(after) });
    return after;
  }
}
