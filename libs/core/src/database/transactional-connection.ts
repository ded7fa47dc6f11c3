import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';

const currentManager = new AsyncLocalStorage<EntityManager>();

/**
 * The one way services reach the database. Inside `withTransaction` every repository,
 * query and queued job uses the same transaction-bound manager, so a service call and
 * the jobs it enqueues commit or roll back together.
 */
@Injectable()
export class TransactionalConnection {
  constructor(readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return currentManager.getStore() ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return currentManager.getStore()?.queryRunner?.isTransactionActive === true;
  }

  getRepository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager.getRepository(entity);
  }

  /** Rows of any statement, RETURNING included (TypeORM answers UPDATE and DELETE as [rows, count]). */
  async query<T = unknown>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const result: unknown = await this.manager.query(sql, parameters);
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
    return result as T[];
  }

  /** Runs `work` in a transaction, joining the current one when there is one. */
  async withTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const existing = currentManager.getStore();
    if (existing?.queryRunner?.isTransactionActive) return work(existing);
    return this.dataSource.transaction((manager) => currentManager.run(manager, () => work(manager)));
  }

}
