import { SetMetadata } from '@nestjs/common';
import type { Config } from '../config/config.js';

export const JOB_HANDLER_METADATA = 'ruche:job-handler';

export interface JobHandlerOptions {
  /** Also run on this crontab schedule (graphile-worker syntax), e.g. `0 3 * * *`, or one computed from the configuration. */
  cron?: string | ((config: Config) => string);
  /** Payload for scheduled runs. */
  cronPayload?: object;
}

/**
 * Marks a provider method as the handler of a queued task. Handlers are thin and
 * idempotent: load state, call a service, record the outcome.
 */
export const JobHandler = (task: string, options: JobHandlerOptions = {}) =>
  SetMetadata(JOB_HANDLER_METADATA, { task, ...options });
