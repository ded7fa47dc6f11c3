import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as a string; amounts in cents fit a JS number (< 2^53). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
