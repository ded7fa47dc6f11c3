import { z } from 'zod';

export const isoDate = z.iso.date();
/** Hours or a rate as decimal text with up to two places ("21.50", "40"). */
export const decimal2 = z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'validation.time_decimal_invalid');
export const positiveDecimal2 = decimal2.refine((value) => Number(value) > 0, { message: 'validation.time_decimal_invalid' });
export const csvFormat = z.enum(['json', 'csv']).default('json');
export const spanQuery = z.strictObject({ from: isoDate, to: isoDate, format: csvFormat }).refine((q) => q.from <= q.to, { message: 'validation.span_invalid', path: ['to'] });
