import { v7 as uuidv7 } from 'uuid';

/** Ids are UUIDv7: opaque to callers, and ordered by creation, which gives every list a stable order for free. */
export function newId(): string {
  return uuidv7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
