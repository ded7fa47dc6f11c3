import { z } from 'zod';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailed } from '../errors/domain-error.js';
import { isId } from '../database/ids.js';
import { validationLocale } from './zod-validation.pipe.js';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The answer shape of every list, for the OpenAPI document. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

let cursorMessage: (locale: 'fr' | 'en') => string = () => 'invalid cursor';
export function configureCursorMessage(fn: typeof cursorMessage): void {
  cursorMessage = fn;
}

function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('v1:') ? decoded.slice(3) : '';
  if (!isId(id)) {
    throw new ValidationFailed([{ field: 'cursor', code: 'invalid_cursor', message: cursorMessage(validationLocale()) }]);
  }
  return id;
}

/**
 * Keyset pagination on the id (UUIDv7, so creation order): stable under inserts and as
 * fast on page 1,000 as on page 1.
 */
export async function paginate<E extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<E>,
  page: PageQuery,
  order: 'ASC' | 'DESC' = 'ASC',
): Promise<Page<E>> {
  const alias = query.alias;
  if (page.cursor) {
    query.andWhere(`${alias}.id ${order === 'ASC' ? '>' : '<'} :cursorId`, { cursorId: decodeCursor(page.cursor) });
  }
  const rows = await query.orderBy(`${alias}.id`, order).limit(page.limit + 1).getMany();
  const hasMore = rows.length > page.limit;
  const data = hasMore ? rows.slice(0, page.limit) : rows;
  return { data, nextCursor: hasMore ? encodeCursor(data[data.length - 1]!.id) : null };
}

export function mapPage<T, U>(page: Page<T>, fn: (item: T) => U): Page<U> {
  return { data: page.data.map(fn), nextCursor: page.nextCursor };
}
