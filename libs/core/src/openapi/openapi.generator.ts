import { Injectable, RequestMethod } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HTTP_CODE_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { z, type ZodType } from 'zod';
import { AUTH_METADATA, BODY_SCHEMA_METADATA, DOC_METADATA, QUERY_SCHEMA_METADATA, type AuthRequirement, type RouteDoc } from '../http/decorators.js';

type JsonSchema = Record<string, unknown>;

export interface RouteInfo {
  method: string;
  path: string;
  auth: AuthRequirement | undefined;
  doc: RouteDoc | undefined;
  body: ZodType | undefined;
  query: ZodType | undefined;
  status: number;
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable' },
        message: { type: 'string', description: "In the caller's language (fr or en)" },
        details: { description: 'For validation_failed: one entry per bad field' },
        requestId: { type: 'string' },
      },
    },
  },
};

function toJsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** The routes of these controllers, from the metadata their decorators left. */
export function routesOf(controllers: Iterable<Function>): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const method = requestMethod === undefined ? undefined : METHODS[requestMethod];
      if (!method) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const path = `/${[base, sub].filter((part) => part && part !== '/').join('/')}`.replace(/\/+/g, '/');
      routes.push({
        method,
        path,
        auth: Reflect.getMetadata(AUTH_METADATA, handler) ?? Reflect.getMetadata(AUTH_METADATA, controller),
        doc: Reflect.getMetadata(DOC_METADATA, handler),
        body: Reflect.getMetadata(BODY_SCHEMA_METADATA, prototype, name),
        query: Reflect.getMetadata(QUERY_SCHEMA_METADATA, prototype, name),
        status: Reflect.getMetadata(HTTP_CODE_METADATA, handler) ?? (method === 'post' ? 201 : 200),
      });
    }
  }
  return routes.sort((a, b) => (a.path + a.method).localeCompare(b.path + b.method));
}

type ModuleEntry = Function | { module: Function; controllers?: Function[]; imports?: unknown[] } | null | undefined;

/**
 * Every controller a module tree mounts, read from the modules' metadata without creating
 * the application (no database): what the panel's build generates its API client from.
 */
export function controllersOf(root: unknown): Function[] {
  const found = new Set<Function>();
  const seen = new Set<unknown>();
  const visit = (entry: unknown) => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const dynamic = typeof entry === 'object' && 'module' in entry ? (entry as Exclude<ModuleEntry, Function | null | undefined>) : null;
    const moduleClass = dynamic ? dynamic.module : typeof entry === 'function' ? entry : null;
    if (!moduleClass) return;
    const controllers = [...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) as Function[] | undefined) ?? []), ...(dynamic?.controllers ?? [])];
    for (const controller of controllers) found.add(controller);
    const imports = [...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) as unknown[] | undefined) ?? []), ...(dynamic?.imports ?? [])];
    for (const imported of imports) visit(imported);
  };
  visit(root);
  return [...found];
}

/**
 * Builds the OpenAPI 3.1 document from the routes themselves: the zod schemas that
 * validate input are the ones documented, so the docs cannot drift from the checks.
 */
@Injectable()
export class OpenApiGenerator {
  private cached: object | null = null;

  constructor(private readonly discovery: DiscoveryService) {}

  routes(): RouteInfo[] {
    return routesOf(this.discovery.getControllers().flatMap((wrapper) => (wrapper.metatype ? [wrapper.metatype as Function] : [])));
  }

  document(): object {
    this.cached ??= openApiDocument(this.routes());
    return this.cached;
  }
}

/** The OpenAPI document of these routes (those under /api/v1 and the operations endpoints). */
export function openApiDocument(routes: RouteInfo[]): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (!route.path.startsWith('/api/v1/') && !['/health', '/ready', '/metrics'].includes(route.path)) continue;
    const openapiPath = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    }));
    if (route.query) {
      const schema = toJsonSchema(route.query, 'input');
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries((schema.properties as Record<string, unknown>) ?? {})) {
        parameters.push({ name, in: 'query', required: required.has(name), schema: property });
      }
    }
    const isPublic = route.auth?.public === true;
    const scope = route.auth && !route.auth.public ? route.auth.scope : undefined;
    const success = route.doc?.response
      ? { description: 'Success', content: { 'application/json': { schema: toJsonSchema(route.doc.response, 'output') } } }
      : { description: 'Success, no content' };
    const responses: Record<string, unknown> = { [String(route.doc?.status ?? route.status)]: success };
    for (const status of ['400', '401', '403', '404', '409', '422', '429']) {
      responses[status] = { $ref: `#/components/responses/Error` };
    }
    paths[openapiPath] ??= {};
    paths[openapiPath][route.method] = {
      summary: route.doc?.summary,
      tags: route.doc?.tags ?? [route.path.split('/')[3] ?? 'system'],
      operationId: `${route.method}${openapiPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters,
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(route.body, 'input') } } } }
        : {}),
      responses,
      security: isPublic ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
      ...(scope ? { 'x-required-scope': scope } : {}),
      ...(route.method === 'post' && route.status === 201
        ? { 'x-idempotency': 'Send an Idempotency-Key header to make retries safe' }
        : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ruche API',
      version: '1',
      description:
        'Hosting control panel and co-op back office. Errors answer `{ error: { code, message, details?, requestId } }`; lists answer `{ data, nextCursor }` and take `limit` and `cursor`.',
    },
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (rch_…)' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ruche_session', description: 'Writes also need X-CSRF-Token' },
      },
      responses: { Error: { description: 'Error', content: { 'application/json': { schema: errorSchema } } } },
    },
  };
}
