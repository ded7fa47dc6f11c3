// The floor the API benchmark compares Ruche with: a bare Fastify + pg server doing the same
// SQL as Ruche for the same two requests, with nothing else (no framework, no validation
// library, no ORM, no audit helper, no metrics or access log).
//   GET  /api/v1/organizations?limit=&cursor=   the token lookup, then one keyset page
//   POST /api/v1/organizations                   the token lookup, then in one transaction:
//        the organisation, its hosting profile and subscription, its audit row
// `node test/bench/floor-server.mjs <database url> <port>`; prints "listening" when ready.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const [databaseUrl, port] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const app = Fastify({ logger: false });

const SUBJECT = `SELECT t.id AS token_id, t.scopes, t.organization_id, u.id AS user_id, u.email, u.locale, u.staff_roles,
  coalesce((SELECT json_agg(json_build_object('organizationId', m.organization_id, 'role', m.role)) FROM memberships m WHERE m.user_id = u.id), '[]') AS memberships
  FROM api_tokens t JOIN users u ON u.id = t.user_id
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL`;

async function authenticate(request, reply) {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  const { rows } = match ? await pool.query(SUBJECT, [createHash('sha256').update(match[1]).digest('hex')]) : { rows: [] };
  if (rows.length === 0) {
    reply.code(401).send({ error: { code: 'unauthenticated' } });
    return null;
  }
  return rows[0];
}

app.get('/api/v1/organizations', async (request, reply) => {
  const subject = await authenticate(request, reply);
  if (!subject) return reply;
  const limit = Math.min(200, Math.max(1, Number(request.query.limit ?? 50)));
  const after = request.query.cursor ? Buffer.from(request.query.cursor, 'base64url').toString('utf8').slice(3) : null;
  const { rows } = await pool.query(
    `SELECT id, name, locale, created_at, updated_at FROM organizations WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id ASC LIMIT $2`,
    [after, limit + 1],
  );
  const data = rows.slice(0, limit).map((row) => ({ id: row.id, name: row.name, locale: row.locale, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() }));
  return { data, nextCursor: rows.length > limit ? Buffer.from(`v1:${data.at(-1).id}`).toString('base64url') : null };
});

app.post('/api/v1/organizations', async (request, reply) => {
  const subject = await authenticate(request, reply);
  if (!subject) return reply;
  const { name, locale } = request.body ?? {};
  if (typeof name !== 'string' || name.trim() === '' || !['fr', 'en'].includes(locale)) return reply.code(422).send({ error: { code: 'validation_failed' } });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const id = randomUUID();
    const { rows } = await client.query(`INSERT INTO organizations (id, name, locale) VALUES ($1, $2, $3) RETURNING created_at, updated_at`, [id, name.trim(), locale]);
    const prefix = `bench${randomBytes(4).toString('hex').slice(0, 7)}`;
    await client.query(`INSERT INTO organization_hosting (organization_id, prefix) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING prefix`, [id, prefix]);
    await client.query(`INSERT INTO subscriptions (id, organization_id, plan_id, starts_on) SELECT $1, $2, id, current_date FROM plans WHERE is_default`, [randomUUID(), id]);
    await client.query(
      `INSERT INTO audit_events (id, actor_type, actor_user_id, actor_token_id, actor_label, ip, request_id, action, target_type, target_id, organization_id, before, after)
       VALUES ($1, 'token', $2, $3, $4, $5, $6, 'organization.create', 'organization', $7, $8, NULL, $9)`,
      [randomUUID(), subject.user_id, subject.token_id, subject.email, request.ip, request.id, id, id, JSON.stringify({ name, locale })],
    );
    await client.query('COMMIT');
    reply.code(201);
    return { id, name: name.trim(), locale, createdAt: rows[0].created_at.toISOString(), updatedAt: rows[0].updated_at.toISOString() };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
});

await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write('listening\n');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
