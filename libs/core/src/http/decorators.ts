import { Body, Param, Query, SetMetadata, applyDecorators, type PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import type { Scope } from '../auth/actor.js';
import { NotFound } from '../errors/domain-error.js';
import { isId } from '../database/ids.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

export const AUTH_METADATA = 'ruche:auth';
export const IDEMPOTENT_METADATA = 'ruche:idempotent';
export const NO_TRANSACTION_METADATA = 'ruche:no-transaction';
export const DOC_METADATA = 'ruche:doc';
export const BODY_SCHEMA_METADATA = 'ruche:body-schema';
export const QUERY_SCHEMA_METADATA = 'ruche:query-schema';

/** What a route needs. Every route declares one: the guard refuses routes that do not. */
export type AuthRequirement =
  | { public: true }
  | { public?: false; scope?: Scope; sessionOnly?: boolean; allowPendingTwoFactor?: boolean; conceal?: Scope };

export const Public = () => SetMetadata(AUTH_METADATA, { public: true } satisfies AuthRequirement);

/**
 * `@Authorize('hosting:write')`: the caller holds that permission in at least one
 * organisation (services then check the organisation itself). `@Authorize()` alone: any
 * signed-in caller. `conceal: 'x:read'`: a caller lacking the scope who does not even hold
 * `x:read` is told the route's things do not exist (404, not 403): for what such a caller must
 * not learn exists (time entries, for clients).
 */
export const Authorize = (scope?: Scope, options: { sessionOnly?: boolean; allowPendingTwoFactor?: boolean; conceal?: Scope } = {}) =>
  SetMetadata(AUTH_METADATA, { scope, ...options } satisfies AuthRequirement);

/** Creates that honour the Idempotency-Key header. */
export const Idempotent = () => SetMetadata(IDEMPOTENT_METADATA, true);

/** Writes that manage their own transactions (sign-in records failures even when it answers 401). */
export const NoTransaction = () => SetMetadata(NO_TRANSACTION_METADATA, true);

export interface RouteDoc {
  summary: string;
  tags?: string[];
  /** Schema of the success answer; omit for 204. */
  response?: ZodType;
  status?: number;
}

export const Doc = (doc: RouteDoc) => SetMetadata(DOC_METADATA, doc);

/** The request body, validated by `schema` (and documented from it). */
export function ValidBody(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) Reflect.defineMetadata(BODY_SCHEMA_METADATA, schema, target, key);
    Body(new ZodValidationPipe(schema, 'body'))(target, key, index);
  };
}

/** The query string, validated by `schema` (and documented from it). */
export function ValidQuery(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) Reflect.defineMetadata(QUERY_SCHEMA_METADATA, schema, target, key);
    Query(new ZodValidationPipe(schema, 'query'))(target, key, index);
  };
}

class IdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    // A malformed id names nothing that exists: same answer as an unknown one.
    if (!isId(value)) throw new NotFound();
    return value.toLowerCase();
  }
}

/** A path parameter holding a Ruche id. */
export const IdParam = (name = 'id') => Param(name, new IdPipe());

export { applyDecorators };
