import { Injectable } from '@nestjs/common';
import { assertOrganizationAccess, AuditService, Conflict, invalidFields, mapPage, newId, TransactionalConnection, type Page } from '@ruche/core';
import type { z } from 'zod';
import { dovecotPasswordHash } from '../credentials/credential-hashes.js';
import { DesiredStateService } from '../desired-state/desired-state.service.js';
import { resourceState, type ResourceListQuery } from '../desired-state/resource.schemas.js';
import { Domain } from '../domains/domain.entity.js';
import type { MailAddress } from '../names/mail-address.js';
import { QuotasService } from '../plans/quotas.service.js';
import { ServersService } from '../servers/servers.service.js';
import { Mailbox } from './mailbox.entity.js';
import { MailAlias } from './mail-alias.entity.js';
import { MailDnsService } from './mail-dns.service.js';
import type { aliasSchema, mailboxSchema } from './mail.schemas.js';

/** Crypt hashes Dovecot verifies, in its `{SCHEME}` form: what a carried mailbox password may be. */
const CARRIED_HASH = /^\{(SHA512-CRYPT|SHA256-CRYPT|MD5-CRYPT|BLF-CRYPT)\}\$[0-9a-z]{1,2}\$[./A-Za-z0-9$=]{1,500}$/;

export function toMailboxDto(mailbox: Mailbox): z.infer<typeof mailboxSchema> {
  return { ...resourceState(mailbox), address: mailbox.address, domainId: mailbox.domainId, quotaMb: mailbox.quotaMb, usedBytes: mailbox.usedBytes, forwards: mailbox.forwards };
}

export function toAliasDto(alias: MailAlias): z.infer<typeof aliasSchema> {
  return { ...resourceState(alias), address: alias.address, domainId: alias.domainId, destinations: alias.destinations, catchAll: alias.localPart === '*' };
}

/** Mailboxes, aliases, forwards and catch-alls, on the organisation's mail server. */
@Injectable()
export class MailService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly state: DesiredStateService,
    private readonly quotas: QuotasService,
    private readonly servers: ServersService,
    private readonly audit: AuditService,
    private readonly mailDns: MailDnsService,
  ) {}

  /** The organisation's domain an address belongs to; it must take mail. */
  private async mailDomain(organizationId: string, address: MailAddress): Promise<Domain> {
    const domain = await this.db.getRepository(Domain).findOneBy({ name: address.domain, organizationId });
    if (!domain || domain.phase === 'deleting') throw invalidFields({ field: 'address', code: 'domain_not_yours' });
    if (!domain.mailEnabled) throw invalidFields({ field: 'address', code: 'mail_not_enabled' });
    return domain;
  }

  /** An address is a mailbox or an alias, never both. The organisation lock makes this check safe. */
  private async assertAddressFree(address: string): Promise<void> {
    const [taken] = await this.db.query(
      `SELECT 1 FROM mailboxes WHERE address = $1 UNION ALL SELECT 1 FROM mail_aliases WHERE address = $1 LIMIT 1`,
      [address],
    );
    if (taken) throw new Conflict('address_taken', { address });
  }

  /**
   * What every new address needs, under the organisation's lock: a mail domain of the
   * organisation's own, and an address no mailbox or alias holds yet. The domain's first
   * address gives it its DKIM key.
   */
  private async claimAddress(organizationId: string, address: MailAddress): Promise<Domain> {
    assertOrganizationAccess('hosting:write', organizationId);
    await this.state.lockOrganization(organizationId);
    const domain = await this.mailDomain(organizationId, address);
    await this.assertAddressFree(address.address);
    await this.mailDns.ensureKey(domain);
    return domain;
  }

  /**
   * `passwordHash` instead of `password` carries a hash made elsewhere (an import from another
   * panel: `{SHA512-CRYPT}$6$…`, `{MD5-CRYPT}$1$…`), which Dovecot checks as it is.
   */
  async createMailbox(input: { organizationId: string; address: MailAddress; password?: string | undefined; passwordHash?: string | undefined; quotaMb: number; forwards?: string[] | undefined; serverId?: string | undefined }) {
    if (input.password === undefined && !(input.passwordHash && CARRIED_HASH.test(input.passwordHash))) throw invalidFields({ field: 'password', code: 'password_hash_invalid' });
    const domain = await this.claimAddress(input.organizationId, input.address);
    const forwards = input.forwards ?? [];
    if (forwards.length > 0) await this.assertNoLoop(input.address.address, forwards, 'forwards');
    await this.quotas.assertRoom(input.organizationId, { mailboxes: 1, mail_storage_mb: input.quotaMb });
    const server = await this.servers.place(input.organizationId, 'mail', input.serverId);
    return this.state.insert(
      'mailbox',
      Mailbox,
      {
        id: newId(),
        organizationId: input.organizationId,
        serverId: server.id,
        domainId: domain.id,
        localPart: input.address.localPart,
        address: input.address.address,
        passwordHash: input.password !== undefined ? await dovecotPasswordHash(input.password) : input.passwordHash!,
        quotaMb: input.quotaMb,
        forwards,
      },
      'mail',
      (mailbox) => ({ address: mailbox.address, quotaMb: mailbox.quotaMb, forwards: mailbox.forwards }),
    );
  }

  getMailbox(id: string) {
    return this.state.visible(Mailbox, id, 'hosting:read');
  }

  async listMailboxes(query: ResourceListQuery) {
    return mapPage(await this.state.list(Mailbox, query), toMailboxDto);
  }

  async updateMailbox(id: string, changes: { password?: string | undefined; quotaMb?: number | undefined; forwards?: string[] | undefined }) {
    const mailbox = await this.state.visible(Mailbox, id, 'hosting:write', true);
    if (mailbox.phase === 'deleting') throw new Conflict('resource_deleting');
    const patch: Partial<Mailbox> = {};
    if (changes.quotaMb !== undefined && changes.quotaMb !== mailbox.quotaMb) {
      await this.state.lockOrganization(mailbox.organizationId);
      await this.quotas.assertRoom(mailbox.organizationId, { mail_storage_mb: changes.quotaMb - mailbox.quotaMb });
      patch.quotaMb = changes.quotaMb;
    }
    if (changes.password !== undefined) patch.passwordHash = await dovecotPasswordHash(changes.password);
    if (changes.forwards !== undefined && changes.forwards.join(',') !== mailbox.forwards.join(',')) {
      await this.state.lockOrganization(mailbox.organizationId);
      if (changes.forwards.length > 0) await this.assertNoLoop(mailbox.address, changes.forwards, 'forwards');
      patch.forwards = changes.forwards;
    }
    if (Object.keys(patch).length === 0) return mailbox;
    await this.db.getRepository(Mailbox).update({ id }, patch);
    await this.audit.record({
      action: 'mailbox.update',
      targetType: 'mailbox',
      targetId: id,
      organizationId: mailbox.organizationId,
      before: { quotaMb: mailbox.quotaMb, forwards: mailbox.forwards },
      after: { quotaMb: patch.quotaMb ?? mailbox.quotaMb, forwards: patch.forwards ?? mailbox.forwards, passwordChanged: changes.password !== undefined },
    });
    await this.state.changed('mailbox', Mailbox, mailbox, 'mail');
    return this.db.getRepository(Mailbox).findOneByOrFail({ id });
  }

  removeMailbox(id: string): Promise<void> {
    return this.state.remove('mailbox', Mailbox, id, () => 'mail', (mailbox) => ({ address: mailbox.address }));
  }

  // --- aliases --------------------------------------------------------------------------

  /**
   * Refuses destinations that would make mail go round: following local aliases and
   * mailboxes' forwards from the destinations must never come back to `address`.
   */
  private async assertNoLoop(address: string, destinations: string[], field: 'destinations' | 'forwards' = 'destinations'): Promise<void> {
    if (destinations.includes(address)) throw invalidFields({ field, code: 'alias_loop' });
    const [row] = await this.db.query<{ loops: boolean }>(
      `WITH RECURSIVE reach(address, depth) AS (
         SELECT unnest($2::text[]), 0
         UNION
         SELECT unnest(n.next), r.depth + 1
           FROM reach r JOIN (SELECT address, destinations AS next FROM mail_aliases WHERE phase <> 'deleting'
                              UNION ALL
                              SELECT address, forwards FROM mailboxes WHERE phase <> 'deleting' AND cardinality(forwards) > 0) n ON n.address = r.address
          WHERE r.depth < 50)
       SELECT EXISTS (SELECT 1 FROM reach WHERE address = $1) AS loops`,
      [address, destinations],
    );
    if (row?.loops) throw invalidFields({ field, code: 'alias_loop' });
  }

  async createAlias(input: { organizationId: string; address: MailAddress; destinations: string[]; serverId?: string | undefined }) {
    const domain = await this.claimAddress(input.organizationId, input.address);
    await this.assertNoLoop(input.address.address, input.destinations);
    const server = await this.servers.place(input.organizationId, 'mail', input.serverId);
    return this.state.insert(
      'mail_alias',
      MailAlias,
      {
        id: newId(),
        organizationId: input.organizationId,
        serverId: server.id,
        domainId: domain.id,
        localPart: input.address.localPart,
        address: input.address.address,
        destinations: input.destinations,
      },
      'mail',
      (alias) => ({ address: alias.address, destinations: alias.destinations }),
    );
  }

  getAlias(id: string) {
    return this.state.visible(MailAlias, id, 'hosting:read');
  }

  async listAliases(query: ResourceListQuery): Promise<Page<z.infer<typeof aliasSchema>>> {
    return mapPage(await this.state.list(MailAlias, query), toAliasDto);
  }

  async updateAlias(id: string, destinations: string[]) {
    const alias = await this.state.visible(MailAlias, id, 'hosting:write', true);
    if (alias.phase === 'deleting') throw new Conflict('resource_deleting');
    await this.state.lockOrganization(alias.organizationId);
    await this.assertNoLoop(alias.address, destinations);
    await this.db.getRepository(MailAlias).update({ id }, { destinations });
    await this.audit.record({ action: 'mail_alias.update', targetType: 'mail_alias', targetId: id, organizationId: alias.organizationId, before: { destinations: alias.destinations }, after: { destinations } });
    await this.state.changed('mail_alias', MailAlias, alias, 'mail');
    return this.db.getRepository(MailAlias).findOneByOrFail({ id });
  }

  removeAlias(id: string): Promise<void> {
    return this.state.remove('mail_alias', MailAlias, id, () => 'mail', (alias) => ({ address: alias.address }));
  }
}
