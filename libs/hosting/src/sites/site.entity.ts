import { Check, Column, Entity, Index, OneToMany, type Relation } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { bigintNumber } from '../desired-state/bigint.transformer.js';
import { SiteHostname } from './site-hostname.entity.js';

/** A website: host names, a document root in the organisation's space, or a redirect. */
@Entity('sites')
@Index('sites_organization_idx', ['organizationId', 'id'])
@Index('sites_server_idx', ['serverId'])
@Check('sites_phase_check', PHASE_CHECK)
export class Site extends HostedResource {
  /** Relative to the organisation's web space on the server. */
  @Column({ type: 'text' })
  documentRoot!: string;

  /** When set, the site only redirects there. */
  @Column({ type: 'text', nullable: true })
  redirectTo!: string | null;

  @Column({ type: 'boolean', default: false })
  https!: boolean;

  /** Disk use last measured on the server. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  storageBytes!: number;

  @OneToMany(() => SiteHostname, (hostname) => hostname.site)
  hostnames?: Relation<SiteHostname[]>;
}
