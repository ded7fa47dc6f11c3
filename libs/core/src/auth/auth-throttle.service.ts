import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { TooManyRequests } from '../errors/domain-error.js';
import { ThrottleEvent, type ThrottleKind } from './throttle-event.entity.js';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
}

/**
 * Counts what guessing or flooding would repeat, per account and per source address, over
 * RUCHE_LOGIN_WINDOW_MINUTES, and answers 429 with Retry-After past a limit. The account is
 * keyed by the e-mail address as typed (lowercased), whether or not it exists, so the answer
 * never tells which addresses have accounts.
 */
@Injectable()
export class AuthThrottle {
  constructor(
    private readonly db: TransactionalConnection,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  get passwordLimits(): ThrottleLimits {
    return { perAccount: this.config.loginMaxFailuresPerAccount, perAddress: this.config.loginMaxFailuresPerAddress };
  }

  get resetLimits(): ThrottleLimits {
    return { perAccount: this.config.passwordResetMaxPerAccount, perAddress: this.config.loginMaxFailuresPerAddress };
  }

  async assertAllowed(kind: ThrottleKind, email: string, ip: string, limits: ThrottleLimits): Promise<void> {
    const windowMs = this.config.loginWindowMinutes * 60_000;
    const [row] = await this.db.query<{ account: number; address: number; account_oldest: Date | null; address_oldest: Date | null }>(
      `SELECT count(*) FILTER (WHERE email = $2)::int AS account,
              count(*) FILTER (WHERE ip = $3)::int AS address,
              min(at) FILTER (WHERE email = $2) AS account_oldest,
              min(at) FILTER (WHERE ip = $3) AS address_oldest
         FROM auth_throttle_events
        WHERE kind = $1 AND at > now() - make_interval(mins => $4) AND (email = $2 OR ip = $3)`,
      [kind, email, ip, this.config.loginWindowMinutes],
    );
    const waits: number[] = [];
    if (row && row.account >= limits.perAccount && row.account_oldest) waits.push(row.account_oldest.getTime() + windowMs - Date.now());
    if (row && row.address >= limits.perAddress && row.address_oldest) waits.push(row.address_oldest.getTime() + windowMs - Date.now());
    if (waits.length > 0) throw new TooManyRequests(Math.max(...waits) / 1000);
  }

  /**
   * A refused attempt answers an error and must still count: callers record failures outside
   * any transaction that the error rolls back (their routes are @NoTransaction).
   */
  async record(kind: ThrottleKind, email: string, ip: string): Promise<void> {
    await this.db.getRepository(ThrottleEvent).insert({ kind, email, ip });
  }

  /** A successful sign-in forgets the account's failures. */
  async clear(kind: ThrottleKind, email: string): Promise<void> {
    await this.db.getRepository(ThrottleEvent).delete({ kind, email });
  }
}
