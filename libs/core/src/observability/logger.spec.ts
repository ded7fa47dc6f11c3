import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('error log lines', () => {
  it('keep the statement and the constraint of a failed query, never its parameters or the values PostgreSQL quotes', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', { destination });
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "api_tokens_token_hash_key"'), {
      code: '23505',
      constraint: 'api_tokens_token_hash_key',
      detail: 'Key (token_hash)=(9f86d081884c7d659a2feaa0c55ad015) already exists.',
      parameters: ['9f86d081884c7d659a2feaa0c55ad015'],
    });
    const error = new QueryFailedError('INSERT INTO "api_tokens"("token_hash") VALUES ($1)', ['9f86d081884c7d659a2feaa0c55ad015'], driverError);
    logger.error({ err: error }, 'request failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('9f86d081884c7d659a2feaa0c55ad015');
    expect(JSON.parse(lines[0]!).err).toMatchObject({ query: 'INSERT INTO "api_tokens"("token_hash") VALUES ($1)', driverError: { constraint: 'api_tokens_token_hash_key', code: '23505' } });
  });
});
