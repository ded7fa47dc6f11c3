import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { newId, SecretBox, TransactionalConnection } from '@ruche/core';
import type { z } from 'zod';
import { Domain } from '../domains/domain.entity.js';
import { DomainsService } from '../domains/domains.service.js';
import { DnsRecord } from '../dns/dns-record.entity.js';
import { Server } from '../servers/server.entity.js';
import { DkimKey } from './dkim-key.entity.js';
import { DEFAULT_DMARC, DEFAULT_SPF, dkimRecordName, dkimRecordValue, dkimSelector } from './dkim.js';
import type { mailRecordsSchema } from './mail.schemas.js';

const generateRsa = promisify(generateKeyPair);

type MailRecord = z.infer<typeof mailRecordsSchema>['records'][number];

/**
 * What a domain's DNS needs for its mail: a DKIM key pair per domain (made when the domain gets
 * its first address; its public half is published in the zone by the DNS driver, read from the
 * zone's desired state), SPF and DMARC defaults the client may edit, and the list of records to
 * add where the domain's DNS is served elsewhere.
 */
@Injectable()
export class MailDnsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly secrets: SecretBox,
    private readonly domains: DomainsService,
  ) {}

  /**
   * The domain's DKIM key, made if it has none: RSA 2048 (what every receiver verifies), the
   * private key sealed. The zone gets a new serial so the DNS server publishes it. The caller
   * holds the organisation's lock, so two first addresses cannot make two keys.
   */
  async ensureKey(domain: Domain): Promise<void> {
    if (await this.db.getRepository(DkimKey).existsBy({ domainId: domain.id })) return;
    const { privateKey, publicKey } = await generateRsa('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await this.db.getRepository(DkimKey).insert({
      id: newId(),
      domainId: domain.id,
      organizationId: domain.organizationId,
      selector: dkimSelector(),
      privateKeySealed: this.secrets.seal(privateKey),
      publicKey: publicKey.toString('base64'),
    });
    await this.domains.touchZone(domain);
  }

  /**
   * The records the domain's mail needs, each with what Ruche's zone holds now: the MX of its
   * mail server, SPF and DMARC (the client's own values if they changed them), and the DKIM key
   * (once the domain has an address). A domain whose DNS is served elsewhere copies these.
   */
  async mailRecords(domain: Domain): Promise<{ domain: string; mailEnabled: boolean; records: MailRecord[] }> {
    const zone = await this.db.getRepository(DnsRecord).findBy({ domainId: domain.id });
    const fqdn = (name: string) => (name === '@' ? domain.name : `${name}.${domain.name}`);
    const records: MailRecord[] = [];
    const mailServer = await this.mailServerOf(domain);
    const mx = zone.filter((record) => record.type === 'MX' && record.name === '@');
    if (mx.length > 0) {
      for (const record of mx) records.push({ purpose: 'mx', type: 'MX', name: '@', fqdn: domain.name, value: record.value, priority: record.priority, inZone: true });
    } else if (mailServer?.publicHostname) {
      records.push({ purpose: 'mx', type: 'MX', name: '@', fqdn: domain.name, value: mailServer.publicHostname, priority: 10, inZone: false });
    }
    const spf = zone.find((record) => record.type === 'TXT' && record.name === '@' && /^v=spf1(\s|$)/i.test(record.value));
    records.push({ purpose: 'spf', type: 'TXT', name: '@', fqdn: domain.name, value: spf?.value ?? DEFAULT_SPF, priority: null, inZone: spf !== undefined });
    const dmarc = zone.find((record) => record.type === 'TXT' && record.name === '_dmarc');
    records.push({ purpose: 'dmarc', type: 'TXT', name: '_dmarc', fqdn: fqdn('_dmarc'), value: dmarc?.value ?? DEFAULT_DMARC, priority: null, inZone: dmarc !== undefined });
    const key = await this.db.getRepository(DkimKey).findOneBy({ domainId: domain.id });
    if (key) {
      const name = dkimRecordName(key.selector);
      records.push({ purpose: 'dkim', type: 'TXT', name, fqdn: fqdn(name), value: dkimRecordValue(key.publicKey), priority: null, inZone: domain.mailEnabled });
    }
    return { domain: domain.name, mailEnabled: domain.mailEnabled, records };
  }

  /** The server holding the domain's addresses, else the one a new address would go to. */
  private async mailServerOf(domain: Domain): Promise<Server | null> {
    const [row] = await this.db.query<{ server_id: string }>(
      `SELECT server_id FROM mailboxes WHERE domain_id = $1 UNION ALL SELECT server_id FROM mail_aliases WHERE domain_id = $1 LIMIT 1`,
      [domain.id],
    );
    if (row) return this.db.getRepository(Server).findOneBy({ id: row.server_id });
    const [placed] = await this.db.query<{ server_id: string }>(`SELECT server_id FROM organization_placements WHERE organization_id = $1 AND service = 'mail'`, [domain.organizationId]);
    return placed ? this.db.getRepository(Server).findOneBy({ id: placed.server_id }) : null;
  }
}
