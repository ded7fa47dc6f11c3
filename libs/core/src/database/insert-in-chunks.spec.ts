import { describe, expect, it } from 'vitest';
import type { Repository } from 'typeorm';
import { insertInChunks } from './insert-in-chunks.js';

/** A repository that only records the INSERTs it is asked for (the chunking is pure logic). */
function recording(columns: number) {
  const statements: object[][] = [];
  const repository = { metadata: { columns: Array.from({ length: columns }) }, insert: async (rows: object[]) => void statements.push(rows) };
  return { repository: repository as unknown as Repository<object>, statements };
}

describe('insertInChunks', () => {
  it('sends no statement for no rows', async () => {
    const { repository, statements } = recording(10);
    await insertInChunks(repository, []);
    expect(statements).toEqual([]);
  });

  it('keeps each statement within 65,535 parameters, every row once and in order', async () => {
    const { repository, statements } = recording(10);
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    await insertInChunks(repository, rows);
    expect(statements.map((chunk) => chunk.length)).toEqual([6553, 6553, 6553, 341]);
    expect(statements.flat()).toEqual(rows);
  });

  it('counts every column of the entity, not only the keys given', async () => {
    const { repository, statements } = recording(65_535);
    await insertInChunks(repository, [{ a: 1 }, { a: 2 }]);
    expect(statements.map((chunk) => chunk.length)).toEqual([1, 1]);
  });
});
