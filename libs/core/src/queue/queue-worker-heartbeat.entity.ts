import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A live worker process and the queue worker ids it runs under. A process that stops
 * beating (killed, its machine gone) has its jobs unlocked by the others, within seconds
 * rather than graphile-worker's four hours.
 */
@Entity('queue_workers')
export class QueueWorkerHeartbeat {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  queueWorkerIds!: string[];

  @Column({ type: 'integer' })
  pid!: number;

  @Column({ type: 'text' })
  hostname!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  heartbeatAt!: Date;
}
