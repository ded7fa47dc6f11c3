import { Injectable } from '@nestjs/common';

/** What posts to an account, as its owner names it (a catalogue item's code): data, not words. */
export type AccountUse = (code: string) => Promise<string[]>;

/**
 * Other libs post to accounts of the chart (billing's catalogue items): they say here what
 * posts where, so that an account still in use is never retired (accounting cannot read their
 * tables, and they depend on it, not it on them).
 */
@Injectable()
export class AccountUses {
  private readonly uses: AccountUse[] = [];

  register(use: AccountUse): void {
    this.uses.push(use);
  }

  async of(code: string): Promise<string[]> {
    return (await Promise.all(this.uses.map((use) => use(code)))).flat();
  }
}
