import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAliasSchema,
  createDatabaseSchema,
  createDatabaseUserSchema,
  createMailboxSchema,
  createSiteSchema,
  databaseFullName,
  normalizeRecord,
  parseDomainName,
  prefixFromName,
  RecordError,
  RECORD_TYPES,
  type RecordType,
} from '@ruche/hosting';
import { renderZone } from './dns/zone-file.js';
import { renderVhost } from './web/nginx-templates.js';
import { destinationAddress, mapKey, renderMap } from './mail/postfix-maps.js';
import { mariadbIdentifier, postgresIdentifier } from './database/sql-identifiers.js';

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

/** Characters that broke renderers before, or could: quotes, escapes, separators, controls, Unicode that IDNA maps or drops. */
const ODD = [
  '"', "'", '`', '\\', ';', '$', '{', '}', '%', '#', ' ', '\t', '\n', '\r', '\u0000', '\u007f', '\u0085', '*', '@', ',', ':', '|', '<', '>', '(', ')', '[', ']',
  'é', 'É', 'ß', 'ø', '\u200b', '\u00ad', 'ｅ', '。', '\u0301', '😀', 'İ', '_', '-', '.', '/', '?', '&', '=', '+', '~', '!', '^',
];

/** A value with up to three odd characters inserted, or characters removed: near the edge of what is valid. */
function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...ODD), fc.constant('')), fc.boolean());
  return fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([value, edits]) =>
    edits.reduce((text, [at, char, remove]) => {
      const index = text.length === 0 ? 0 : at % (text.length + 1);
      return remove ? text.slice(0, index) + text.slice(index + 1) : text.slice(0, index) + char + text.slice(index);
    }, value),
  );
}

/** Plain values, mutated ones, and anything at all. */
function around(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: base }, { weight: 4, arbitrary: mutated(base) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) });
}

const domain = fc.domain();
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const recordName = fc.oneof(
  fc.constantFrom('@', '', '*', '_dmarc', '_sip._tcp', '_25._tcp.mail', 'www', 'a.b'),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')),
  fc.tuple(label, domain).map(([l, d]) => `${l}.${d}.`),
);
const srvName = fc.tuple(label, fc.constantFrom('_tcp', '_udp', '_tls', '_xyz'), fc.option(label)).map(([service, proto, below]) => `_${service}.${proto}${below ? `.${below}` : ''}`);
const priority = fc.oneof({ weight: 6, arbitrary: fc.nat(65535) }, { weight: 1, arbitrary: fc.constantFrom(undefined, null, -1, 65536, 1.5) });
const caaContent = fc.oneof(domain, fc.tuple(domain, fc.string({ unit: 'grapheme-ascii', maxLength: 12 })).map(([d, text]) => `${d};${text}`), domain.map((d) => `${d}; validationmethods=dns-01`), fc.constant(';'), domain.map((d) => `mailto:security@${d}`), fc.webUrl());
const valueFor: Record<RecordType, fc.Arbitrary<string>> = {
  A: fc.ipV4(),
  AAAA: fc.oneof(fc.ipV6(), fc.ipV6().map((ip) => `${ip}%eth0`)),
  CNAME: fc.oneof(domain, domain.map((d) => `${d}.`), fc.constant('@')),
  NS: fc.oneof(domain, domain.map((d) => `${d}.`)),
  MX: fc.oneof(domain, domain.map((d) => `${d}.`), fc.constant('@')),
  TXT: fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((text) => `"${text}"`),
    fc.tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })).map(([a, b]) => `"${a}" "${b}"`),
    fc.constant('v=spf1 include:_spf.example.org ~all'),
  ),
  SRV: fc.tuple(fc.nat(70000), fc.nat(70000), fc.oneof(domain, fc.constant('.'))).map(([w, p, t]) => `${w} ${p} ${t}`),
  CAA: fc
    .tuple(fc.nat(300), fc.constantFrom('issue', 'issuewild', 'iodef', 'ISSUE', 'tbs'), caaContent, fc.boolean())
    .map(([flags, tag, content, quoted]) => `${flags} ${tag} ${quoted ? `"${content}"` : content}`),
};

const zone = domain.filter((name) => {
  try {
    return parseDomainName(name).ascii === name;
  } catch {
    return false;
  }
});

const settings = { nameservers: ['ns1.coop.example', 'ns2.coop.example'], hostmaster: 'hostmaster.coop.example' };

describe('every DNS record the API accepts renders into a zone file', () => {
  for (const type of RECORD_TYPES) {
    it(`${type} records`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(
          zone,
          around(type === 'SRV' ? fc.oneof(srvName, recordName) : recordName),
          around(valueFor[type]),
          fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 700_000 })),
          type === 'MX' || type === 'SRV' ? priority : fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: priority }),
          (zoneName, name, value, ttl, priority) => {
            let record;
            try {
              record = normalizeRecord({ type, name, value, ttl, priority }, zoneName);
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

describe('every site the API accepts renders into an nginx vhost', () => {
  it('host names, document roots, redirects and HTTPS', () => {
    let accepted = 0;
    const url = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), domain.map((d) => `https://${d}/café`), domain.map((d) => `http://${d}/a\`b`));
    fc.assert(
      fc.property(
        fc.array(around(domain), { minLength: 1, maxLength: 3 }),
        fc.option(around(fc.constantFrom('www', 'public_html', 'sites/blog/public', 'a.b-c_d')), { nil: undefined }),
        fc.option(around(url), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (hostnames, documentRoot, redirectTo, https, ipv6) => {
          const parsed = createSiteSchema.safeParse({ organizationId: ORG, hostnames, documentRoot, redirectTo, https });
          if (!parsed.success) return;
          accepted++;
          const site = parsed.data;
          expect(() =>
            renderVhost({
              id: SITE_ID,
              prefix: 'coop',
              hostnames: site.hostnames,
              documentRoot: site.documentRoot ?? `sites/${site.hostnames[0]}`,
              redirectTo: site.redirectTo ?? null,
              https: site.https,
              ipv6,
            }),
          ).not.toThrow();
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });
});

describe('every mail address the API accepts renders into a Postfix map', () => {
  const local = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/), fc.constantFrom('info', 'first.last', 'a+tag', '*'));
  const address = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
  it('mailboxes', () => {
    let accepted = 0;
    fc.assert(
      fc.property(around(address), (value) => {
        const parsed = createMailboxSchema.safeParse({ organizationId: ORG, address: value, password: 'long-enough-password', quotaMb: 100 });
        if (!parsed.success) return;
        accepted++;
        expect(() => renderMap([{ key: mapKey(parsed.data.address.address), value: parsed.data.address.address }])).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });

  it('aliases, catch-alls and forwards', () => {
    let accepted = 0;
    const external = fc.oneof(address, fc.emailAddress());
    fc.assert(
      fc.property(around(address), fc.array(around(external), { minLength: 1, maxLength: 4 }), (value, destinations) => {
        const parsed = createAliasSchema.safeParse({ organizationId: ORG, address: value, destinations });
        if (!parsed.success) return;
        accepted++;
        expect(() => renderMap([{ key: mapKey(parsed.data.address.address), value: parsed.data.destinations.map(destinationAddress).join(',') }])).not.toThrow();
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
