import { Injectable } from '@nestjs/common';
import { invalidFields, isId, OrganizationsService, TransactionalConnection, visibleOrganizationIds, type Page } from '@ruche/core';
import type { z } from 'zod';
import type { resourceSearchSchema, resourceSummarySchema } from './resource.schemas.js';

type Query = z.infer<typeof resourceSearchSchema>;
type Summary = z.infer<typeof resourceSummarySchema>;

/** Every kind of resource as one list: its type, what people call it, and its provisioning state. */
const ALL_RESOURCES = `
  SELECT 'domain' AS type, 'dns' AS service, id, organization_id, server_id, unicode_name AS name, name AS ascii_name, phase, last_error, generation, observed_generation, attempts, next_attempt_at, updated_at FROM domains
  UNION ALL
  SELECT 'site', 'web', s.id, s.organization_id, s.server_id, h.hostname, h.hostname, s.phase, s.last_error, s.generation, s.observed_generation, s.attempts, s.next_attempt_at, s.updated_at
    FROM sites s LEFT JOIN LATERAL (SELECT hostname FROM site_hostnames WHERE site_id = s.id ORDER BY position LIMIT 1) h ON true
  UNION ALL
  SELECT 'mailbox', 'mail', id, organization_id, server_id, address, address, phase, last_error, generation, observed_generation, attempts, next_attempt_at, updated_at FROM mailboxes
  UNION ALL
  SELECT 'mail_alias', 'mail', id, organization_id, server_id, address, address, phase, last_error, generation, observed_generation, attempts, next_attempt_at, updated_at FROM mail_aliases
  UNION ALL
  SELECT 'database', engine, id, organization_id, server_id, name, name, phase, last_error, generation, observed_generation, attempts, next_attempt_at, updated_at FROM databases
  UNION ALL
  SELECT 'database_user', engine, id, organization_id, server_id, name, name, phase, last_error, generation, observed_generation, attempts, next_attempt_at, updated_at FROM database_users`;

interface Row {
  type: Summary['type'];
  service: Summary['service'];
  id: string;
  organization_id: string;
  server_id: string;
  name: string | null;
  phase: Summary['phase'];
  last_error: string | null;
  generation: number;
  observed_generation: number;
  attempts: number;
  next_attempt_at: Date | null;
  updated_at: Date;
}

/**
 * Resources of every type at once, across the organisations the caller may see: sysadmins
 * search the whole co-op (what failed, on which server, for whom); a client sees its own.
 */
@Injectable()
export class ResourceSearchService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly organizations: OrganizationsService,
  ) {}

  /** The phase of each of these resources the caller may see, whatever their type. */
  async phases(ids: readonly string[]): Promise<Map<string, ResourcePhase>> {
    if (ids.length === 0) return new Map();
    const visible = visibleOrganizationIds('hosting:read');
    const rows = await this.db.query<Row>(
      `SELECT * FROM (${ALL_RESOURCES}) r WHERE r.id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR r.organization_id = ANY($2::uuid[]))`,
      [ids, visible === 'all' ? null : visible],
    );
    return new Map(rows.map((row) => [row.id, { type: row.type, id: row.id, serverId: row.server_id, phase: row.phase, lastError: row.last_error }]));
  }

  async search(query: Query): Promise<Page<Summary>> {
    const visible = visibleOrganizationIds('hosting:read');
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.db.query<Row>(
      `SELECT * FROM (${ALL_RESOURCES}) r
        WHERE ($1::uuid[] IS NULL OR r.organization_id = ANY($1::uuid[]))
          AND ($2::text IS NULL OR r.type = $2) AND ($3::text IS NULL OR r.phase = $3)
          AND ($4::uuid IS NULL OR r.organization_id = $4) AND ($5::uuid IS NULL OR r.server_id = $5)
          AND ($6::text IS NULL OR strpos(lower(r.name), lower($6)) > 0 OR strpos(lower(r.ascii_name), lower($6)) > 0)
          AND ($7::uuid IS NULL OR r.id < $7) AND ($9::uuid IS NULL OR r.id = $9)
        ORDER BY r.id DESC LIMIT $8`,
      [visible === 'all' ? null : visible, query.type ?? null, query.phase ?? null, query.organizationId ?? null, query.serverId ?? null, query.q?.trim() || null, after, query.limit + 1, query.id ?? null],
    );
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const names = await this.organizations.names(page.map((row) => row.organization_id));
    return {
      data: page.map((row) => ({
        type: row.type,
        service: row.service,
        id: row.id,
        organizationId: row.organization_id,
        organizationName: names.get(row.organization_id) ?? '',
        serverId: row.server_id,
        name: row.name ?? '',
        phase: row.phase,
        lastError: row.last_error,
        generation: row.generation,
        observedGeneration: row.observed_generation,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
        updatedAt: row.updated_at.toISOString(),
      })),
      nextCursor: hasMore ? Buffer.from(`v1:${page[page.length - 1]!.id}`).toString('base64url') : null,
    };
  }
}

/** Where a resource stands, for another lib following resources it asked for (an import waiting for what it made). */
export interface ResourcePhase {
  type: Summary['type'];
  id: string;
  serverId: string;
  phase: Summary['phase'];
  lastError: string | null;
}

/** The same cursors as every other list (`v1:<id>`, base64url). */
function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('v1:') ? decoded.slice(3) : '';
  if (!isId(id)) throw invalidFields({ field: 'cursor', code: 'invalid_cursor' });
  return id;
}
