import type { IncomingMessage } from 'node:http';
import { AsyncResource } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../config/config.js';
import { RequestContext, localeFromAcceptLanguage } from '../context/request-context.js';
import { NestPinoLogger, type Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { DOCS_ASSETS_PREFIX } from '../openapi/openapi.controller.js';
import { securityHeaders } from './security-headers.js';
import { servePanel, serveStaticFiles } from './static-files.js';
import { serveHomePage } from './home-page.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const contextResources = new WeakMap<FastifyRequest, AsyncResource>();

/** Every answer's security headers (helmet's, for this policy), the API's and the panel's alike. */
const SECURITY_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
});

/**
 * Builds the HTTP application on Fastify: request ids and context, security headers,
 * cookies, metrics and access logs, the API docs' assets, the panel, graceful shutdown.
 */
export async function createHttpApplication(
  module: unknown,
  config: Config,
  logger: Logger,
  options: { panelDir?: string | null } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
  });
  // Fastify's own JSON parser, not Nest's (which would add a form-urlencoded one).
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  // Bodies are JSON, nothing else (415): a form or text/plain post from another site's page
  // can never reach a route, sign-in included.
  fastify.removeContentTypeParser(['text/plain']);

  // The request's context must survive body parsing, which runs in the socket's async
  // context: keep an async resource from onRequest and re-enter it in preValidation.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', request.id);
    const data = { requestId: String(request.id), ip: request.ip, headerLocale: localeFromAcceptLanguage(request.headers['accept-language']), actor: null };
    RequestContext.run(data, () => {
      contextResources.set(request, new AsyncResource('ruche-request'));
      done();
    });
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const resource = contextResources.get(request);
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    const resource = contextResources.get(request);
    const log = () =>
      logger.info({ method: request.method, url: request.url.split('?')[0], route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, ip: request.ip }, 'request');
    if (resource) resource.runInAsyncScope(log);
    else log();
    done();
  });

  await app.register(fastifyCookie as never);
  const swaggerUi = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  serveStaticFiles(fastify, DOCS_ASSETS_PREFIX, swaggerUi, new Set(['swagger-ui.css', 'swagger-ui-bundle.js']));
  // The panel, when built: same origin as the API, so the session cookie and CSRF token just work.
  if (options.panelDir && existsSync(path.join(options.panelDir, 'index.html'))) servePanel(fastify, options.panelDir);
  else serveHomePage(fastify, config);

  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  return app;
}
