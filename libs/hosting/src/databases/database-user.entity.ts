import { Check, Column, Entity, Index, JoinTable, ManyToMany, type Relation } from 'typeorm';
import { HostedResource, PHASE_CHECK } from '../desired-state/hosted-resource.js';
import { Database, type Engine } from './database.entity.js';

/** A database login with all privileges on the databases it is granted. */
@Entity('database_users')
@Index('database_users_engine_name_key', ['engine', 'name'], { unique: true })
@Index('database_users_organization_idx', ['organizationId', 'id'])
@Index('database_users_server_idx', ['serverId'])
@Check('database_users_phase_check', PHASE_CHECK)
@Check('database_users_engine_check', `"engine" IN ('mariadb', 'postgresql')`)
@Check('database_users_name_check', `"name" ~ '^[a-z][a-z0-9]{1,11}_[a-z][a-z0-9_]{0,15}$'`)
export class DatabaseUser extends HostedResource {
  @Column({ type: 'text' })
  engine!: Engine;

  @Column({ type: 'text' })
  name!: string;

  /** What the engine stores (mysql_native_password hash, or a SCRAM-SHA-256 verifier). */
  @Column({ type: 'text' })
  passwordVerifier!: string;

  @ManyToMany(() => Database, { onDelete: 'CASCADE' })
  @JoinTable({
    name: 'database_grants',
    joinColumn: { name: 'database_user_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'database_id', referencedColumnName: 'id' },
  })
  databases?: Relation<Database[]>;
}
