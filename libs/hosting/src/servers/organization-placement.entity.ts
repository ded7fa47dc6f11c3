import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Organization } from '@ruche/core';
import type { Service } from '../desired-state/hosted-resource.js';
import { Server } from './server.entity.js';

/** The server an organisation's new resources of a service go to, when staff chose one. */
@Entity('organization_placements')
@Check('organization_placements_service_check', `"service" IN ('web', 'dns', 'mail', 'mariadb', 'postgresql')`)
export class OrganizationPlacement {
  @PrimaryColumn({ type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ type: 'text' })
  service!: Service;

  @Column({ type: 'uuid' })
  serverId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  @ManyToOne(() => Server, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'server_id' })
  server?: Relation<Server>;
}
