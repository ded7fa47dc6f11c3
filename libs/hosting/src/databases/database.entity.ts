import { Check, Column, Entity, Index } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { bigintNumber } from '../desired-state/bigint.transformer.js';

export const ENGINES = ['mariadb', 'postgresql'] as const;
export type Engine = (typeof ENGINES)[number];

/** A MariaDB or PostgreSQL database, named `<organisation prefix>_<name>`. */
@Entity('databases')
@Index('databases_engine_name_key', ['engine', 'name'], { unique: true })
@Index('databases_organization_idx', ['organizationId', 'id'])
@Index('databases_server_idx', ['serverId'])
@Check('databases_phase_check', PHASE_CHECK)
@Check('databases_engine_check', `"engine" IN ('mariadb', 'postgresql')`)
@Check('databases_name_check', `"name" ~ '^[a-z][a-z0-9]{1,11}_[a-z][a-z0-9_]{0,15}$'`)
export class Database extends HostedResource {
  @Column({ type: 'text' })
  engine!: Engine;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  storageBytes!: number;

  /** The archive it is being made again from (its driver restores the data, then clears this). */
  @Column({ type: 'uuid', nullable: true })
  restoreArchiveId!: string | null;
}
