import { z, type ZodType } from 'zod';

/**
 * A kind of job: its task name and the schema of its payload. Declared once, by the lib that
 * owns the contract; `QueueService.enqueue` takes it (so a payload that does not fit is a type
 * error), and the worker checks every payload against it before the handler runs.
 */
export interface JobDefinition<Schema extends ZodType = ZodType> {
  readonly name: string;
  readonly schema: Schema;
}

export function defineJob<Schema extends ZodType>(name: string, schema: Schema): JobDefinition<Schema> {
  if (!/^[a-z]+:[a-z][a-z-]*$/.test(name)) throw new Error(`Job names are <lib>:<task>, lowercase: ${name}`);
  return { name, schema };
}

/** What `enqueue` takes for a job (defaults not yet applied). */
export type JobInput<Job extends JobDefinition> = z.input<Job['schema']>;

/** What the handler of a job receives, checked. */
export type JobPayload<Job extends JobDefinition> = z.output<Job['schema']>;

/** Jobs without a payload (scheduled ones). */
export const NO_PAYLOAD = z.strictObject({});
