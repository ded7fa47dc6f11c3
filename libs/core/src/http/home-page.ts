import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * What `/` answers when this server has no web panel built beside it: a small page, in both
 * languages, that says where the API and its docs are and how to sign in.
 */
export function serveHomePage(fastify: FastifyInstance, config: Config): void {
  const url = escapeHtml(config.publicUrl);
  const login = escapeHtml(
    `curl -c cookies -H 'content-type: application/json' -d '{"email":"${config.adminEmail}","password":"…"}' ${config.publicUrl}/api/v1/auth/login`,
  );
  const page = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ruche</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}pre{padding:.6rem;overflow-x:auto;white-space:pre-wrap}a{color:#0b57a4}section+section{border-top:1px solid #ccc;margin-top:1.5rem}</style>
</head>
<body>
<section lang="fr">
<h1>Ruche</h1>
<p>Ruche fonctionne. Le panneau web n’est pas inclus dans cette installation : utilisez l’API.</p>
<ul>
<li><a href="/api/docs">Documentation de l’API</a> (OpenAPI : <a href="/api/openapi.json">/api/openapi.json</a>)</li>
<li>État : <a href="/ready">/ready</a>, métriques : <a href="/metrics">/metrics</a></li>
</ul>
<p>Pour vous connecter, avec le mot de passe de l’administrateur affiché au premier démarrage :</p>
<pre>${login}</pre>
</section>
<section lang="en">
<h1>Ruche</h1>
<p>Ruche is running at ${url}. The web panel is not included in this installation: use the API.</p>
<ul>
<li><a href="/api/docs">API documentation</a> (OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>)</li>
<li>Status: <a href="/ready">/ready</a>, metrics: <a href="/metrics">/metrics</a></li>
</ul>
<p>To sign in, with the administrator's password printed at the first start:</p>
<pre>${login}</pre>
</section>
</body>
</html>
`;
  fastify.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page));
}
