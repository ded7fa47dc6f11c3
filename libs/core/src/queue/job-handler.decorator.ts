import { SetMetadata } from '@nestjs/common';
import type { Config } from '../config/config.js';
import type { JobDefinition } from './job.js';

export const JOB_HANDLER_METADATA = 'ruche:job-handler';

export interface JobHandlerOptions {
  /** Also run on this crontab schedule (graphile-worker syntax), e.g. `0 3 * * *`, or one computed from the configuration. */
  cron?: string | ((config: Config) => string);
  /** Payload for scheduled runs (checked against the job's schema like any other). */
  cronPayload?: object;
}

/**
 * Marks a provider method as the handler of a job. Handlers are thin and idempotent: load
 * state, call a service, record the outcome. The payload they get has passed the job's schema.
 */
export const JobHandler = (job: JobDefinition, options: JobHandlerOptions = {}) => SetMetadata(JOB_HANDLER_METADATA, { job, ...options });
