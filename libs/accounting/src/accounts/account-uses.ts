import { Injectable } from '@nestjs/common';

/**
 * What posts to an account, as its owner knows it: the codes of catalogue items that bill to
 * it, and whether lines not posted yet (drafts, time waiting to be billed) would post there.
 */
export interface AccountUse {
  items?: string[];
  unposted?: boolean;
}

/**
 * Other libs post to accounts of the chart (billing's catalogue items and invoice lines): they
 * say here what posts where, so that an account still in use is never retired (accounting
 * cannot read their tables, and they depend on it, not it on them).
 */
@Injectable()
export class AccountUses {
  private readonly uses: Array<(code: string) => Promise<AccountUse>> = [];

  register(use: (code: string) => Promise<AccountUse>): void {
    this.uses.push(use);
  }

  async of(code: string): Promise<Required<AccountUse>> {
    const found = await Promise.all(this.uses.map((use) => use(code)));
    return { items: found.flatMap((use) => use.items ?? []), unposted: found.some((use) => use.unposted === true) };
  }
}
