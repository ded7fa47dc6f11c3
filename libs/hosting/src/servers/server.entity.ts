import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Service } from '../desired-state/hosted-resource.js';

export const TRANSPORTS = ['ssh', 'docker', 'local'] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const SERVER_STATUSES = ['active', 'draining', 'paused'] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/** A machine of the co-op and the services it runs. Resources are placed on servers. */
@Entity('servers')
@Index('servers_name_key', ['name'], { unique: true })
@Check('servers_transport_check', `"transport" IN ('ssh', 'docker', 'local')`)
@Check('servers_status_check', `"status" IN ('active', 'draining', 'paused')`)
@Check('servers_services_check', `"services" <@ ARRAY['web', 'dns', 'mail', 'mariadb', 'postgresql']::text[]`)
@Check('servers_port_check', `"port" BETWEEN 1 AND 65535`)
export class Server {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Where Ruche reaches it: a host name or an address (or a container or folder, per transport). */
  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'integer', default: 22 })
  port!: number;

  @Column({ type: 'text' })
  transport!: Transport;

  @Column({ type: 'text', array: true })
  services!: Service[];

  /** paused: its jobs wait; draining: nothing new is placed on it. */
  @Column({ type: 'text', default: 'active' })
  status!: ServerStatus;

  /** Public addresses clients' DNS records point at (A/AAAA defaults, MX hosts). */
  @Column({ type: 'text', nullable: true })
  publicIpv4!: string | null;

  @Column({ type: 'text', nullable: true })
  publicIpv6!: string | null;

  /** The name mail and name service are known by (MX and NS targets). */
  @Column({ type: 'text', nullable: true })
  publicHostname!: string | null;

  /** SHA256 fingerprint of the SSH host key, pinned at registration. */
  @Column({ type: 'text', nullable: true })
  hostKeyFingerprint!: string | null;

  @Column({ type: 'text', default: 'root' })
  sshUser!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
