import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from './database/transactional-connection.js';
import { JobHandler } from './queue/job-handler.decorator.js';
import { defineJob, NO_PAYLOAD } from './queue/job.js';

export const HOUSEKEEPING_JOB = defineJob('core:housekeeping', NO_PAYLOAD);

/** Forgets what only matters for a while: expired sessions, old throttling events and reset links, old idempotency keys. */
@Injectable()
export class HousekeepingJobs {
  constructor(private readonly db: TransactionalConnection) {}

  @JobHandler(HOUSEKEEPING_JOB, { cron: '17 * * * *' })
  async pruneExpired(): Promise<void> {
    await this.db.query(`DELETE FROM sessions WHERE expires_at < now()`);
    await this.db.query(`DELETE FROM auth_throttle_events WHERE at < now() - interval '1 day'`);
    await this.db.query(`DELETE FROM password_resets WHERE expires_at < now() - interval '30 days'`);
    await this.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'`);
    await this.db.query(`DELETE FROM invitations WHERE expires_at < now() - interval '30 days'`);
  }
}
