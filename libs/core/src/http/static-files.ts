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
