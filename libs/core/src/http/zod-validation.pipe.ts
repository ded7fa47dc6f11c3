import { Injectable, type PipeTransform } from '@nestjs/common';
import { z, ZodObject, type ZodType, type core } from 'zod';
import { InvalidRequest, ValidationFailed, type FieldError } from '../errors/domain-error.js';
import { RequestContext } from '../context/request-context.js';
import type { Locale } from '../config/config.js';

const zodLocales: Record<Locale, core.$ZodErrorMap> = { fr: z.locales.frCA().localeError, en: z.locales.en().localeError };

/**
 * Our own messages for custom checks: a schema refines with `message: 'validation.<key>'`
 * and the filter translates it. Set by the core module at start-up.
 */
let translate: (key: string, locale: Locale) => string | undefined = () => undefined;
let defaultLocale: Locale = 'fr';
export function configureValidationMessages(fn: typeof translate, locale: Locale): void {
  translate = fn;
  defaultLocale = locale;
}

export function validationLocale(): Locale {
  const ctx = RequestContext.current();
  return ctx?.actor?.locale ?? ctx?.headerLocale ?? defaultLocale;
}

/** NUL in any text, or a control character in a key: PostgreSQL cannot store the one, logs and files must not get the other. */
const NUL = /\u0000/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The paths of every string (or key) holding a character nothing in Ruche accepts. */
export function forbiddenCharacters(value: unknown, path: string[] = [], found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (NUL.test(value)) found.push(path.join('.') || '(root)');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => forbiddenCharacters(item, [...path, String(index)], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (CONTROL.test(key)) found.push([...path, key].join('.'));
      else forbiddenCharacters(item, [...path, key], found);
    }
  }
  return found;
}

/** Parses `value` with `schema`, turning every issue into a field error in the caller's language. */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, source: 'body' | 'query' | 'other' = 'other'): T {
  const locale = validationLocale();
  if (source === 'body' && schema instanceof ZodObject && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new InvalidRequest('body_must_be_object');
  }
  const bad = forbiddenCharacters(value);
  if (bad.length > 0) {
    const message = translate('validation.invalid_character', locale) ?? 'invalid_character';
    throw new ValidationFailed(bad.map((field) => ({ field, code: 'invalid_character', message })));
  }
  const result = schema.safeParse(value ?? (source === 'query' ? {} : value), { error: zodLocales[locale] });
  if (result.success) return result.data;
  throw new ValidationFailed(result.error.issues.flatMap(closestBranch).map((issue) => toFieldError(issue, locale)));
}

/**
 * A value no branch of a union accepts: when exactly one branch has every key the value has
 * (the others say "unknown field"), that branch's issues say what is wrong, field by field
 * ("unitPrice: write a decimal number") rather than "invalid input" for the whole value.
 */
export function closestBranch(issue: core.$ZodIssue): core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const fitting = issue.errors.filter((branch) => !branch.some((inner) => inner.code === 'unrecognized_keys'));
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.flatMap((inner) => closestBranch({ ...inner, path: [...issue.path, ...inner.path] } as core.$ZodIssue));
}

function toFieldError(issue: core.$ZodIssue, locale: Locale): FieldError {
  const field = issue.path.map(String).join('.') || '(root)';
  if (issue.message.startsWith('validation.')) {
    const code = issue.message.slice('validation.'.length);
    return { field, code, message: translate(issue.message, locale) ?? code };
  }
  if (issue.code === 'unrecognized_keys') {
    return { field: issue.keys.map((key) => [...issue.path.map(String), key].join('.')).join(','), code: 'unknown_field', message: translate('validation.unknown_field', locale) ?? issue.message };
  }
  return { field, code: issue.code, message: issue.message };
}

@Injectable()
export class ZodValidationPipe implements PipeTransform {
  constructor(
    private readonly schema: ZodType,
    private readonly source: 'body' | 'query',
  ) {}

  transform(value: unknown): unknown {
    return parseOrThrow(this.schema, value, this.source);
  }
}

/** A 422 for fields that failed a check made in a service, with messages in the caller's language. */
export function invalidFields(...fields: Array<{ field: string; code: string }>): ValidationFailed {
  const locale = validationLocale();
  return new ValidationFailed(fields.map(({ field, code }) => ({ field, code, message: translate(`validation.${code}`, locale) ?? code })));
}
