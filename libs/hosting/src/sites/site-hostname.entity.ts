import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Site } from './site.entity.js';

/** One host name a site answers to. The key makes a host name belong to one site in all of Ruche. */
@Entity('site_hostnames')
@Index('site_hostnames_site_idx', ['siteId'])
@Index('site_hostnames_reverse_idx', { synchronize: false })
export class SiteHostname {
  @PrimaryColumn({ type: 'text' })
  hostname!: string;

  @Column({ type: 'uuid' })
  siteId!: string;

  @ManyToOne(() => Site, (site) => site.hostnames, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'site_id' })
  site?: Relation<Site>;

  /** Order in which the client gave them; the first is the site's main name. */
  @Column({ type: 'integer' })
  position!: number;
}
