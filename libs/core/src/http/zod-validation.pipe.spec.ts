import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationFailed, type FieldError } from '../errors/domain-error.js';
import { parseOrThrow } from './zod-validation.pipe.js';

const line = z.union([
  z.strictObject({ description: z.string().min(1), unitPrice: z.string().regex(/^\d+(\.\d{1,2})?$/, 'validation.decimal_invalid') }),
  z.strictObject({ itemCode: z.string().min(1), quantity: z.string().regex(/^\d+$/, 'validation.decimal_invalid').optional() }),
]);
const body = z.strictObject({ lines: z.array(line) });

function fieldsOf(value: unknown): string[] {
  try {
    parseOrThrow(body, value, 'body');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailed);
    return ((error as ValidationFailed).details as FieldError[]).map((detail) => `${detail.field}:${detail.code}`);
  }
  throw new Error('accepted');
}

describe('validation errors of a union', () => {
  it('name the field of the one branch whose keys the value has', () => {
    expect(fieldsOf({ lines: [{ description: 'Atelier', unitPrice: 'douze' }] })).toEqual(['lines.0.unitPrice:decimal_invalid']);
    expect(fieldsOf({ lines: [{ description: 'Atelier', unitPrice: '12.50' }, { itemCode: 'atelier', quantity: 'deux' }] })).toEqual(['lines.1.quantity:decimal_invalid']);
  });

  it('stay on the whole value when no branch, or more than one, has its keys', () => {
    expect(fieldsOf({ lines: [{ unitPrice: '12.50', quantity: '2' }] })).toEqual(['lines.0:invalid_union']);
    expect(fieldsOf({ lines: [{}] })).toEqual(['lines.0:invalid_union']);
  });
});
