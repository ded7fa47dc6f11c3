import { Injectable } from '@nestjs/common';
import { AuditService, newId, NotFound, paginate, TransactionalConnection, type Page, type PageQuery } from '@ruche/core';
import { assertCoordinator, assertReader } from '../shared/access.js';
import { Worker } from '../workers/worker.entity.js';
import { EligibilityExceptionRow } from './eligibility-exception.entity.js';
import type { Criterion } from './eligibility.js';

export interface NewException {
  workerId: string;
  from: string;
  to: string;
  criteria: Criterion[];
  reason: string;
  grantedBy: string;
  decidedOn: string;
}

/** Exceptions the work committee grants (justified absences), recorded by coordinators, read by every worker. */
@Injectable()
export class EligibilityExceptionsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  async create(input: NewException): Promise<EligibilityExceptionRow> {
    const actor = assertCoordinator();
    if (!(await this.db.getRepository(Worker).existsBy({ id: input.workerId }))) throw new NotFound();
    const id = newId();
    await this.db.getRepository(EligibilityExceptionRow).insert({
      id,
      workerId: input.workerId,
      fromDate: input.from,
      toDate: input.to,
      criteria: [...new Set(input.criteria)],
      reason: input.reason,
      grantedBy: input.grantedBy,
      decidedOn: input.decidedOn,
      recordedBy: actor.userId,
    });
    await this.audit.record({ action: 'eligibility_exception.create', targetType: 'eligibility_exception', targetId: id, after: { ...input } });
    return this.db.getRepository(EligibilityExceptionRow).findOneByOrFail({ id });
  }

  async list(query: PageQuery & { workerId?: string | undefined }): Promise<Page<EligibilityExceptionRow>> {
    assertReader();
    const qb = this.db.getRepository(EligibilityExceptionRow).createQueryBuilder('x');
    if (query.workerId) qb.andWhere('x.workerId = :workerId', { workerId: query.workerId });
    return paginate(qb, query);
  }
}
