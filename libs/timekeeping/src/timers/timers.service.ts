import { Inject, Injectable } from '@nestjs/common';
import { AuditService, Conflict, Forbidden, newId, NotFound, requireActor, TransactionalConnection } from '@ruche/core';
import { IsNull } from 'typeorm';
import { TimeEntriesService, type EntryView } from '../entries/time-entries.service.js';
import type { Category } from '../entries/time-entry.entity.js';
import { assertRecorder, isCoordinator, readsEveryonesTime } from '../shared/access.js';
import { todayIn } from '../shared/dates.js';
import { TIMEKEEPING_SETTINGS, type TimekeepingSettings } from '../timekeeping.settings.js';
import { WorkersService } from '../workers/workers.service.js';
import { Timer } from './timer.entity.js';

export interface TimerStart {
  contractId: string | null;
  taskId: string | null;
  category: Category;
  committeeId: string | null;
  description: string;
  billable: boolean;
  volunteer: boolean;
}

/** Running clocks: one per worker (PostgreSQL's unique partial index says so too); stopping one records the entry. */
@Injectable()
export class TimersService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly audit: AuditService,
    private readonly workers: WorkersService,
    private readonly entries: TimeEntriesService,
    @Inject(TIMEKEEPING_SETTINGS.token) private readonly settings: TimekeepingSettings,
  ) {}

  /** Running timers: your own (coordinators and accountants see everyone's). */
  async running(): Promise<Timer[]> {
    const actor = requireActor();
    const qb = this.db.getRepository(Timer).createQueryBuilder('t').where('t.stoppedAt IS NULL');
    if (!readsEveryonesTime(actor)) qb.andWhere('t.workerId = :workerId', { workerId: actor.userId });
    return qb.orderBy('t.id').limit(500).getMany();
  }

  async start(input: TimerStart, now: Date = new Date()): Promise<Timer> {
    const actor = assertRecorder();
    const worker = await this.workers.ensure(actor.userId);
    if (!worker.active) throw new Conflict('worker_inactive');
    await this.entries.checkTarget({ ...input, workDate: todayIn(this.settings.timeZone, now) });
    const id = newId();
    // The index decides between two starts racing; the answer is the same as when one runs already.
    const inserted = await this.db.query(
      `INSERT INTO timers (id, worker_id, started_at, contract_id, task_id, category, committee_id, description, billable, volunteer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (worker_id) WHERE stopped_at IS NULL DO NOTHING RETURNING id`,
      [id, actor.userId, now, input.contractId, input.taskId, input.category, input.committeeId, input.description, input.billable, input.volunteer],
    );
    if (inserted.length === 0) {
      const runningTimer = await this.db.getRepository(Timer).findOneByOrFail({ workerId: actor.userId, stoppedAt: IsNull() });
      throw new Conflict('timer_running', { since: runningTimer.startedAt.toISOString() });
    }
    await this.audit.record({ action: 'timer.start', targetType: 'timer', targetId: id, after: { ...input } });
    return this.db.getRepository(Timer).findOneByOrFail({ id });
  }

  /** Stops your timer and records the time (rounded like any entry) on the day it started, in the co-op's time zone. */
  async stop(id: string, description: string | undefined, now: Date = new Date()): Promise<EntryView> {
    assertRecorder();
    const timer = await this.own(id);
    if (timer.stoppedAt) throw new Conflict('timer_stopped');
    const elapsed = Math.max(1, Math.ceil((now.getTime() - timer.startedAt.getTime()) / 60_000));
    if (elapsed > 1440) throw new Conflict('timer_too_long');
    const entry = await this.entries.record(
      {
        workerId: timer.workerId,
        workDate: todayIn(this.settings.timeZone, timer.startedAt),
        contractId: timer.contractId,
        taskId: timer.taskId,
        category: timer.category,
        committeeId: timer.committeeId,
        description: description ?? timer.description,
        billable: timer.billable,
        volunteer: timer.volunteer,
        minutes: elapsed,
      },
      { recordedMinutes: elapsed },
    );
    await this.db.getRepository(Timer).update({ id }, { stoppedAt: now, entryId: entry.id });
    await this.audit.record({ action: 'timer.stop', targetType: 'timer', targetId: id, after: { entryId: entry.id, minutes: elapsed } });
    return this.entries.view(entry);
  }

  /** Throws a running timer away: nothing is recorded. */
  async discard(id: string): Promise<void> {
    assertRecorder();
    const timer = await this.own(id);
    if (timer.stoppedAt) throw new Conflict('timer_stopped');
    await this.db.getRepository(Timer).delete({ id });
    await this.audit.record({ action: 'timer.discard', targetType: 'timer', targetId: id, before: { startedAt: timer.startedAt.toISOString() } });
  }

  /** Your timer, locked for the change (someone else's is not found, or not yours to stop). */
  private async own(id: string): Promise<Timer> {
    const actor = requireActor();
    const timer = await this.db.getRepository(Timer).createQueryBuilder('t').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
    if (!timer || (timer.workerId !== actor.userId && !readsEveryonesTime(actor))) throw new NotFound();
    if (timer.workerId !== actor.userId && !isCoordinator(actor)) throw new Forbidden('time_entry_not_yours');
    return timer;
  }
}
