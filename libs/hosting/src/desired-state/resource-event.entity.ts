import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ResourceType } from './resource-kinds.js';

/** Something that happened to a resource: a phase change, a repaired drift, an error. */
@Entity('resource_events')
@Index('resource_events_resource_idx', ['resourceId', 'id'])
@Index('resource_events_organization_idx', ['organizationId', 'id'])
export class ResourceEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  resourceType!: ResourceType;

  @Column({ type: 'uuid' })
  resourceId!: string;

  /** `phase`, `drift` or `deleted`. */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text', nullable: true })
  fromPhase!: string | null;

  @Column({ type: 'text', nullable: true })
  toPhase!: string | null;

  @Column({ type: 'integer' })
  generation!: number;

  @Column({ type: 'text', nullable: true })
  message!: string | null;
}
