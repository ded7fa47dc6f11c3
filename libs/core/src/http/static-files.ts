import send from '@fastify/send';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the files of one folder under `prefix` (API docs assets, the panel's build).
 * @fastify/send does the careful part: path traversal, ranges, ETags, content types.
 */
export function serveStaticFiles(fastify: FastifyInstance, prefix: string, root: string, files?: ReadonlySet<string>): void {
  fastify.get(`${prefix}*`, async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    if (files && !files.has(relative)) return reply.callNotFound();
    const result = await send(request.raw, `/${relative}`, { root, dotfiles: 'deny', index: false, maxAge: '1h' });
    if (result.type === 'error') return reply.callNotFound();
    reply.status(result.statusCode).headers(result.headers as Record<string, string>);
    return reply.send(result.stream);
  });
}

/** Paths the panel never answers: the API's own, which keep their JSON 404. */
const NOT_PANEL = /^\/(api|health|ready|metrics)(\/|$)/;
/** A client-side route: no file extension in the last segment. */
const PANEL_ROUTE = /^\/([^.]*|.*\/[^/.]*)$/;

/**
 * Serves the panel's build at `/`: hashed files under /assets/ cached for a year (their names
 * change with their content), other files of the build's root for an hour, and index.html,
 * never cached, for every client-side route (so a reload or a link from a mail opens the page).
 */
export function servePanel(fastify: FastifyInstance, root: string): void {
  fastify.get('/assets/*', async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const result = await send(request.raw, `/assets/${relative}`, { root, dotfiles: 'deny', index: false, maxAge: '365d', immutable: true });
    if (result.type === 'error') return reply.callNotFound();
    reply.status(result.statusCode).headers(result.headers as Record<string, string>);
    return reply.send(result.stream);
  });
  fastify.get('/*', async (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (NOT_PANEL.test(url)) return reply.callNotFound();
    const relative = (request.params as { '*': string })['*'];
    const isRoute = PANEL_ROUTE.test(url);
    const file = isRoute || relative === 'index.html' ? '/index.html' : `/${relative}`;
    const result = await send(request.raw, file, { root, dotfiles: 'deny', index: false, ...(isRoute ? { cacheControl: false } : { maxAge: '1h' }) });
    if (result.type === 'error') return reply.callNotFound();
    reply.status(result.statusCode).headers(result.headers as Record<string, string>);
    if (isRoute) reply.header('cache-control', 'no-cache');
    return reply.send(result.stream);
  });
}
