import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { around, documentRoot, domain, externalAddress, mailAddress, quotaMb, recordInput, redirectUrl, zone } from '../../../../test/support/arbitraries.js';
import {
  createAliasSchema,
  createDatabaseSchema,
  createDatabaseUserSchema,
  createMailboxSchema,
  createSiteSchema,
  updateMailboxSchema,
  dovecotPasswordHash,
  databaseFullName,
  databasePasswordVerifier,
  normalizeRecord,
  prefixFromName,
  RecordError,
  RECORD_TYPES,
} from '@ruche/hosting';
import { renderZone } from './dns/zone-file.js';
import { renderSiteMap } from './web/nginx-templates.js';
import { aliasFragment, domainsMap, mailboxFragment } from './mail/postfix-maps.js';
import { mariadbIdentifier, mariadbPasswordHash, postgresIdentifier, postgresPasswordVerifier } from './database/sql-identifiers.js';

/**
 * The API and the renderers must agree: every value the API accepts is generated here (from
 * plain values, values with odd characters spliced in, and arbitrary Unicode) and rendered.
 * A value the API takes and a renderer refuses would sit `failed` on the server and block the
 * changes after it: such a value fails this test, as does any error that is not a refusal
 * (a 500 to the client).
 */
const RUNS = Number(process.env.RUCHE_PROPERTY_RUNS ?? 3000);
const ORG = '01a20000-0000-7000-8000-000000000000';
const SITE_ID = '01a20000-0000-7000-8000-0000000000aa';

const settings = { nameservers: ['ns1.coop.example', 'ns2.coop.example'], hostmaster: 'hostmaster.coop.example' };

describe('every DNS record the API accepts renders into a zone file', () => {
  for (const type of RECORD_TYPES) {
    it(`${type} records`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(
          zone,
          recordInput(type),
          (zoneName, input) => {
            let record;
            try {
              record = normalizeRecord({ type, ...input }, zoneName);
            } catch (error) {
              if (error instanceof RecordError) return; // refused with a 422: fine
              throw error;
            }
            accepted++;
            expect(() => renderZone(zoneName, 2026113001, [record], settings)).not.toThrow();
          },
        ),
        { numRuns: RUNS },
      );
      // The generators must reach the accepted space, or this test proves nothing.
      expect(accepted).toBeGreaterThan(RUNS / 20);
    });
  }
});

describe('every site the API accepts renders into lines of nginx’s maps', () => {
  it('host names, document roots, redirects and HTTPS', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(around(domain), { minLength: 1, maxLength: 3 }),
        fc.option(around(documentRoot), { nil: undefined }),
        fc.option(around(redirectUrl), { nil: undefined }),
        fc.boolean(),
        (hostnames, documentRoot, redirectTo, https) => {
          const parsed = createSiteSchema.safeParse({ organizationId: ORG, hostnames, documentRoot, redirectTo, https });
          if (!parsed.success) return;
          accepted++;
          const site = parsed.data;
          const text = renderSiteMap({
            id: SITE_ID,
            prefix: 'coop',
            hostnames: site.hostnames,
            documentRoot: site.documentRoot ?? `sites/${site.hostnames[0]}`,
            redirectTo: site.redirectTo ?? null,
            https: site.https,
          });
          // One map line per name, its value one quoted word list nginx takes as it is (no
          // variable, quote, escape, brace or semicolon inside), read back by Ruche's value maps.
          const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
          expect(lines.map((line) => line.slice(0, line.indexOf(' ')))).toEqual(site.hostnames);
          for (const line of lines) {
            expect(line).toMatch(/^[a-z0-9.-]+ "[0-9a-f-]{36} (tls:[0-9a-f-]{36}-[0-9a-f]{16}|plain) (root \/srv\/ruche\/coop\/[^"$;{}\\\s]+|redirect [^"$;{}\\\s]+)";$/);
            expect(line).toContain(site.https ? ` "${SITE_ID} tls:${SITE_ID}-` : ` "${SITE_ID} plain `);
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });
});

describe('every mail address the API accepts renders into the mail server’s maps', () => {
  const address = mailAddress;
  const external = externalAddress;
  const MAILBOX_ID = '01a20000-0000-7000-8000-0000000000bb';
  it('mailboxes, their quotas and forwards (with the hash Ruche stores)', async () => {
    const passwordHash = await dovecotPasswordHash('long-enough-password');
    let accepted = 0;
    fc.assert(
      fc.property(around(address), quotaMb, fc.array(around(external), { maxLength: 3 }), (value, quota, forwards) => {
        const parsed = createMailboxSchema.safeParse({ organizationId: ORG, address: value, password: 'long-enough-password', quotaMb: quota, forwards });
        if (!parsed.success) return;
        accepted++;
        const mailbox = { id: MAILBOX_ID, address: parsed.data.address.address, passwordHash, quotaMb: parsed.data.quotaMb, forwards: parsed.data.forwards };
        expect(() => mailboxFragment(mailbox)).not.toThrow();
        expect(() => domainsMap([parsed.data.address.domain])).not.toThrow();
        const changed = updateMailboxSchema.safeParse({ forwards, quotaMb: quota });
        if (changed.success) expect(() => mailboxFragment({ ...mailbox, ...changed.data, forwards: changed.data.forwards ?? [], quotaMb: changed.data.quotaMb ?? 1 })).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });

  it('aliases, catch-alls and forwards', () => {
    let accepted = 0;
    fc.assert(
      fc.property(around(address), fc.array(around(external), { minLength: 1, maxLength: 4 }), (value, destinations) => {
        const parsed = createAliasSchema.safeParse({ organizationId: ORG, address: value, destinations });
        if (!parsed.success) return;
        accepted++;
        expect(() => aliasFragment({ address: parsed.data.address.address, destinations: parsed.data.destinations })).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });
});

describe('every database and database-user name the API accepts goes into SQL', () => {
  it('for MariaDB and PostgreSQL, with the organisation prefix', () => {
    let accepted = 0;
    const short = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/), fc.constantFrom('wordpress', 'select', 'a'));
    fc.assert(
      fc.property(around(short), around(fc.constantFrom('Café Solidaire', '42 Ruelles', '!!', 'Radio')), fc.constantFrom('mariadb', 'postgresql'), (name, organization, engine) => {
        for (const schema of [createDatabaseSchema, createDatabaseUserSchema]) {
          const parsed = schema.safeParse({ organizationId: ORG, engine, name });
          if (!parsed.success) continue;
          const full = databaseFullName(prefixFromName(organization), parsed.data.name);
          if (full === null) continue; // refused by the service with a 422
          accepted++;
          expect(() => (engine === 'mariadb' ? mariadbIdentifier(full) : postgresIdentifier(full))).not.toThrow();
        }
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });
});

describe('every database user password the API accepts gives a verifier the drivers put into SQL', () => {
  it('as a mysql_native_password hash or a SCRAM-SHA-256 verifier, whatever its characters', () => {
    let accepted = 0;
    // A SCRAM verifier costs 4,096 PBKDF2 rounds: fewer runs.
    const runs = Math.ceil(RUNS / 10);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ minLength: 12, maxLength: 40 })), fc.constantFrom('mariadb', 'postgresql'), (password, engine) => {
        const parsed = createDatabaseUserSchema.safeParse({ organizationId: ORG, engine, name: 'app', password });
        if (!parsed.success) return;
        accepted++;
        const verifier = databasePasswordVerifier(parsed.data.engine, parsed.data.password!);
        expect(() => (engine === 'mariadb' ? mariadbPasswordHash(verifier) : postgresPasswordVerifier(verifier))).not.toThrow();
      }),
      { numRuns: runs },
    );
    expect(accepted).toBeGreaterThan(runs / 20);
  });
});
