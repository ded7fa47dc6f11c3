import type { ObjectLiteral, Repository } from 'typeorm';

/** PostgreSQL's bind message counts its parameters in 16 bits. */
const MAX_PARAMETERS = 65_535;

/**
 * Inserts rows with as few multi-row INSERTs as PostgreSQL's parameter limit allows (a batch of
 * a thousand domains' records passes it in one statement). In the caller's transaction.
 */
export async function insertInChunks<T extends ObjectLiteral>(repository: Repository<T>, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  // Every column of the entity may be bound (defaults included), not only the keys given.
  const columns = Math.max(repository.metadata.columns.length, ...rows.slice(0, 1).map((row) => Object.keys(row).length));
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  for (let start = 0; start < rows.length; start += size) {
    await repository.insert(rows.slice(start, start + size) as never);
  }
}
