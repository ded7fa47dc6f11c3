import { Injectable } from '@nestjs/common';
import { assertStaffScope, AuditService, Conflict, I18nService, NotFound, newId, TransactionalConnection } from '@ruche/core';
import type { z } from 'zod';
import { Account } from './account.entity.js';
import { AccountUses } from './account-uses.js';
import { ACCOUNTS } from './chart.js';
import type { accountSchema, createAccountSchema, updateAccountSchema } from './account.schemas.js';

/** The accounts Ruche's own postings use (invoices, payments, credits, taxes, default revenues). */
const POSTED_BY_RUCHE: readonly string[] = [ACCOUNTS.bank, ACCOUNTS.receivables, ACCOUNTS.gstPayable, ACCOUNTS.qstPayable, ACCOUNTS.customerCredits, ACCOUNTS.hostingRevenue, ACCOUNTS.servicesRevenue];

/** The chart of accounts: read by every worker, changed by accountants. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly i18n: I18nService,
    private readonly uses: AccountUses,
  ) {}

  toDto(account: Account): z.infer<typeof accountSchema> {
    return {
      id: account.id,
      code: account.code,
      name: this.i18n.locale === 'fr' ? account.nameFr : account.nameEn,
      nameFr: account.nameFr,
      nameEn: account.nameEn,
      type: account.type,
      active: account.active,
    };
  }

  async list(): Promise<Account[]> {
    assertStaffScope('accounting:read');
    return this.db.getRepository(Account).find({ order: { code: 'ASC' } });
  }

  async create(input: z.infer<typeof createAccountSchema>): Promise<Account> {
    assertStaffScope('accounting:write');
    const repository = this.db.getRepository(Account);
    if (await repository.existsBy({ code: input.code })) throw new Conflict('account_code_taken', { code: input.code });
    const account = repository.create({ id: newId(), ...input, active: true });
    await repository.insert(account);
    await this.audit.record({ action: 'account.create', targetType: 'account', targetId: account.id, after: input });
    return account;
  }

  async update(id: string, changes: z.infer<typeof updateAccountSchema>): Promise<Account> {
    assertStaffScope('accounting:write');
    const repository = this.db.getRepository(Account);
    // Locked until the change commits: a line written meanwhile to this account waits for it (see LedgerService.assertActive).
    const before = await repository.createQueryBuilder('a').setLock('pessimistic_write').where('a.id = :id', { id }).getOne();
    if (!before) throw new NotFound();
    // An account Ruche still posts to stays: retired, every invoice or payment posting there
    // would be refused.
    if (changes.active === false && before.active) {
      if (POSTED_BY_RUCHE.includes(before.code)) throw new Conflict('account_in_use_system', { code: before.code });
      const uses = await this.uses.of(before.code);
      if (uses.items.length > 0) {
        const named = uses.items.length > 5 ? [...uses.items.slice(0, 5), '…'] : uses.items;
        throw new Conflict('account_in_use_items', { code: before.code, items: named.join(', ') });
      }
      if (uses.unposted) throw new Conflict('account_in_use_unposted', { code: before.code });
    }
    const patch = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(patch).length > 0) await repository.update({ id }, patch);
    const after = await repository.findOneByOrFail({ id });
    await this.audit.record({ action: 'account.update', targetType: 'account', targetId: id, before: this.toDto(before), after: this.toDto(after) });
    return after;
  }
}
