import { Injectable } from '@nestjs/common';
import { AuditService, DomainError, NotFound, paginate, TransactionalConnection, User, type Page, type PageQuery } from '@ruche/core';
import { In } from 'typeorm';
import { assertCoordinator, assertReader } from '../shared/access.js';
import { Worker, type WorkerStatus } from './worker.entity.js';

/** Staff roles whose holders record time. */
const RECORDING_ROLES = ['worker', 'coordinator'];

export interface WorkerView {
  id: string;
  displayName: string;
  status: WorkerStatus;
  active: boolean;
}

/** Workers: users holding the worker or coordinator role, with their standing in the co-op. */
@Injectable()
export class WorkersService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
  ) {}

  /**
   * The worker record of a user who may record time, made on first use (status member). A user
   * without the role, or disabled, is refused.
   */
  async ensure(userId: string): Promise<Worker> {
    const existing = await this.db.getRepository(Worker).findOneBy({ id: userId });
    if (existing) return existing;
    const user = await this.db.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new NotFound();
    if (user.disabledAt !== null || !user.staffRoles.some((role) => RECORDING_ROLES.includes(role))) throw new DomainError('not_a_worker', 422);
    await this.db.query(`INSERT INTO workers (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [userId]);
    return this.db.getRepository(Worker).findOneByOrFail({ id: userId });
  }

  async list(query: PageQuery & { status?: WorkerStatus; active?: boolean }): Promise<Page<WorkerView>> {
    assertReader();
    const qb = this.db.getRepository(Worker).createQueryBuilder('w');
    if (query.status) qb.andWhere('w.status = :status', { status: query.status });
    if (query.active !== undefined) qb.andWhere('w.active = :active', { active: query.active });
    const page = await paginate(qb, query);
    return { data: await this.views(page.data), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<WorkerView> {
    assertReader();
    const worker = await this.db.getRepository(Worker).findOneBy({ id });
    if (!worker) throw new NotFound();
    return (await this.views([worker]))[0]!;
  }

  /** A coordinator sets a worker's standing (recording them as a worker if they had no time yet). */
  async update(id: string, change: { status?: WorkerStatus | undefined; active?: boolean | undefined }): Promise<WorkerView> {
    assertCoordinator();
    const before = await this.ensure(id);
    await this.db.getRepository(Worker).update({ id }, { ...(change.status ? { status: change.status } : {}), ...(change.active !== undefined ? { active: change.active } : {}) });
    const after = await this.db.getRepository(Worker).findOneByOrFail({ id });
    await this.audit.record({ action: 'worker.update', targetType: 'worker', targetId: id, before: { status: before.status, active: before.active }, after: { status: after.status, active: after.active } });
    return (await this.views([after]))[0]!;
  }

  /** Everyone who may record time now: users holding a recording role, not disabled, not marked as having left. */
  async currentWorkerIds(): Promise<string[]> {
    const users = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .select('u.id')
      .where('u.staffRoles && :roles::text[]', { roles: RECORDING_ROLES })
      .andWhere('u.disabledAt IS NULL')
      .getMany();
    const left = new Set((await this.db.getRepository(Worker).find({ select: { id: true }, where: { active: false } })).map((worker) => worker.id));
    return users.map((user) => user.id).filter((id) => !left.has(id));
  }

  /** Names of users (workers, coordinators who approved), for answers and reports. */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const users = await this.db.getRepository(User).find({ select: { id: true, displayName: true }, where: { id: In(unique) } });
    return new Map(users.map((user) => [user.id, user.displayName]));
  }

  private async views(workers: Worker[]): Promise<WorkerView[]> {
    const names = await this.names(workers.map((worker) => worker.id));
    return workers.map((worker) => ({ id: worker.id, displayName: names.get(worker.id) ?? '', status: worker.status, active: worker.active }));
  }
}
