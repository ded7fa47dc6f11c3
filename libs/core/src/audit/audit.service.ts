import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '../database/transactional-connection.js';
import { RequestContext } from '../context/request-context.js';
import { newId } from '../database/ids.js';
import { insertInChunks } from '../database/insert-in-chunks.js';
import { AuditEvent } from './audit-event.entity.js';

export interface AuditEntry {
  /** `<target>.<verb>`, for example `organization.create` or `auth.login_failed`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  organizationId?: string | null;
  before?: object | null;
  after?: object | null;
  /** Who acted, when it is not the caller of the current request (sign-in, for one). */
  actor?: { userId: string; email: string } | null;
}

const SECRET_KEY = /(password|secret|token|hash|private.?key|recovery|otp)/i;

/** Drops secrets from a before/after summary: the audit log must be safe to show to staff. */
export function auditSummary(value: object | null | undefined): Record<string, unknown> | null {
  if (!value) return null;
  const summary: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && !/Id$/.test(key)) continue;
    summary[key] = field instanceof Date ? field.toISOString() : field;
  }
  return summary;
}

@Injectable()
export class AuditService {
  constructor(private readonly db: TransactionalConnection) {}

  /** Records a change in the current transaction: the entry exists exactly when the change does. */
  async record(entry: AuditEntry): Promise<void> {
    await this.recordMany([entry]);
  }

  /** Several changes of one request (a batch), in as few statements as their number allows. */
  async recordMany(entries: readonly AuditEntry[]): Promise<void> {
    const ctx = RequestContext.current();
    const actor = ctx?.actor ?? null;
    const rows = entries.map((entry) => {
      const explicit = entry.actor ?? null;
      return {
        id: newId(),
        actorType: explicit ? 'user' : actor ? (actor.kind === 'token' ? 'token' : 'user') : 'system',
        actorUserId: explicit?.userId ?? actor?.userId ?? null,
        actorTokenId: explicit ? null : (actor?.tokenId ?? null),
        actorLabel: explicit?.email ?? actor?.email ?? null,
        ip: ctx?.ip ?? null,
        requestId: ctx?.requestId ?? null,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        organizationId: entry.organizationId ?? null,
        before: auditSummary(entry.before),
        after: auditSummary(entry.after),
      } satisfies Partial<AuditEvent>;
    });
    await insertInChunks(this.db.getRepository(AuditEvent), rows);
  }
}
