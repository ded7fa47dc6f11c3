import { Injectable } from '@nestjs/common';
import { AuditService, Conflict, newId, NotFound, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { assertCoordinator, assertReader } from '../shared/access.js';
import { Committee } from './committee.entity.js';

/** The co-op's committees: the permanent ones (seeded in French and English) and ad hoc ones coordinators add. */
@Injectable()
export class CommitteesService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQuery & { includeArchived: boolean }): Promise<Page<Committee>> {
    assertReader();
    const qb = this.db.getRepository(Committee).createQueryBuilder('c');
    if (!query.includeArchived) qb.andWhere('c.archivedAt IS NULL');
    return paginate(qb, query);
  }

  async get(id: string): Promise<Committee> {
    const committee = await this.db.getRepository(Committee).findOneBy({ id });
    if (!committee) throw new NotFound();
    return committee;
  }

  async create(input: { code: string; nameFr: string; nameEn: string }): Promise<Committee> {
    assertCoordinator();
    const id = newId();
    const inserted = await this.db.query(`INSERT INTO committees (id, code, name_fr, name_en, kind) VALUES ($1, $2, $3, $4, 'ad_hoc') ON CONFLICT (code) DO NOTHING RETURNING id`, [id, input.code, input.nameFr, input.nameEn]);
    if (inserted.length === 0) throw new Conflict('committee_code_taken', { code: input.code });
    await this.audit.record({ action: 'committee.create', targetType: 'committee', targetId: id, after: input });
    return this.get(id);
  }

  async update(id: string, change: { nameFr?: string | undefined; nameEn?: string | undefined; archived?: boolean | undefined }): Promise<Committee> {
    assertCoordinator();
    const before = await this.get(id);
    await this.db.getRepository(Committee).update(
      { id },
      {
        ...(change.nameFr !== undefined ? { nameFr: change.nameFr } : {}),
        ...(change.nameEn !== undefined ? { nameEn: change.nameEn } : {}),
        ...(change.archived !== undefined ? { archivedAt: change.archived ? (before.archivedAt ?? new Date()) : null } : {}),
      },
    );
    const after = await this.get(id);
    await this.audit.record({ action: 'committee.update', targetType: 'committee', targetId: id, before: { nameFr: before.nameFr, nameEn: before.nameEn, archived: before.archivedAt !== null }, after: { nameFr: after.nameFr, nameEn: after.nameEn, archived: after.archivedAt !== null } });
    return after;
  }
}
