import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const SERVER_EVENT_KINDS = ['unreachable', 'release_refused', 'command_failed', 'cleanup_skipped'] as const;
export type ServerEventKind = (typeof SERVER_EVENT_KINDS)[number];

/**
 * Something wrong with a server that no resource explains, for sysadmins to see at once: it
 * could not be reached, its daemon's checker refused a whole release, a command failed (a
 * reload, staging), or old releases' shared subfolders could not be cleaned up (the release
 * went live; the server's disk fills until someone looks). Resources show clients a plain
 * message; the details are here.
 */
@Entity('server_events')
@Index('server_events_server_idx', ['serverId', 'id'])
@Index('server_events_kind_idx', ['kind', 'id'])
@Check('server_events_kind_check', `"kind" IN ('unreachable', 'release_refused', 'command_failed', 'cleanup_skipped')`)
export class ServerEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'uuid' })
  serverId!: string;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  kind!: ServerEventKind;

  @Column({ type: 'text' })
  message!: string;

  /** The reconcile run it happened in. */
  @Column({ type: 'uuid', nullable: true })
  runId!: string | null;
}
