import fc from 'fast-check';
import { parseDomainName, type RecordType } from '@ruche/hosting';

/**
 * Generators of what clients may send for each field the servers render: plain values, values
 * with odd characters spliced in, and arbitrary text. Shared by the property tests that check
 * the API and the renderers agree (unit) and that the daemons take what the API accepts (e2e).
 */
/** Characters that broke renderers before, or could: quotes, escapes, separators, controls, Unicode that IDNA maps or drops. */
export const ODD = [
  '"', "'", '`', '\\', ';', '$', '{', '}', '%', '#', ' ', '\t', '\n', '\r', '\u0000', '\u007f', '\u0085', '*', '@', ',', ':', '|', '<', '>', '(', ')', '[', ']',
  'é', 'É', 'ß', 'ø', '\u200b', '\u00ad', 'ｅ', '。', '\u0301', '😀', 'İ', '_', '-', '.', '/', '?', '&', '=', '+', '~', '!', '^',
];

/** A value with up to three odd characters inserted, or characters removed: near the edge of what is valid. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...ODD), fc.constant('')), fc.boolean());
  return fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([value, edits]) =>
    edits.reduce((text, [at, char, remove]) => {
      const index = text.length === 0 ? 0 : at % (text.length + 1);
      return remove ? text.slice(0, index) + text.slice(index + 1) : text.slice(0, index) + char + text.slice(index);
    }, value),
  );
}

/** Plain values, mutated ones, and anything at all. */
export function around(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: base }, { weight: 4, arbitrary: mutated(base) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) });
}

export const domain = fc.domain();
export const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
export const recordName = fc.oneof(
  fc.constantFrom('@', '', '*', '_dmarc', '_sip._tcp', '_25._tcp.mail', 'www', 'a.b'),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')),
  fc.tuple(label, domain).map(([l, d]) => `${l}.${d}.`),
);
export const srvName = fc.tuple(label, fc.constantFrom('_tcp', '_udp', '_tls', '_xyz'), fc.option(label)).map(([service, proto, below]) => `_${service}.${proto}${below ? `.${below}` : ''}`);
export const priority = fc.oneof({ weight: 6, arbitrary: fc.nat(65535) }, { weight: 1, arbitrary: fc.constantFrom(undefined, null, -1, 65536, 1.5) });
const caaContent = fc.oneof(domain, fc.tuple(domain, fc.string({ unit: 'grapheme-ascii', maxLength: 12 })).map(([d, text]) => `${d};${text}`), domain.map((d) => `${d}; validationmethods=dns-01`), fc.constant(';'), domain.map((d) => `mailto:security@${d}`), fc.webUrl());
export const valueFor: Record<RecordType, fc.Arbitrary<string>> = {
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

export const zone = domain.filter((name) => {
  try {
    return parseDomainName(name).ascii === name;
  } catch {
    return false;
  }
});


/** A redirect target, valid or near it. */
export const redirectUrl = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), domain.map((d) => `https://${d}/café`), domain.map((d) => `http://${d}/a\`b`));
export const documentRoot = fc.constantFrom('www', 'public_html', 'sites/blog/public', 'a.b-c_d');

/** The input of one record of `type`. */
export function recordInput(type: RecordType) {
  return fc.record({
    name: around(type === 'SRV' ? fc.oneof(srvName, recordName) : recordName),
    value: around(valueFor[type]),
    ttl: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 700_000 })),
    priority: type === 'MX' || type === 'SRV' ? priority : fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: priority }),
  });
}

/** Local parts of hosted addresses (mailboxes, aliases; `*` a catch-all), plain or near the edge. */
export const mailLocalPart = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/), fc.constantFrom('info', 'first.last', 'a+tag', '*'));
export const mailAddress = fc.tuple(mailLocalPart, domain).map(([l, d]) => `${l}@${d}`);
/** Where aliases and forwards may send: hosted addresses or any address at all. */
export const externalAddress = fc.oneof(mailAddress, fc.emailAddress());
/** A mailbox quota in MB, around the accepted range (1 to 1,048,576). */
export const quotaMb = fc.oneof(fc.integer({ min: 1, max: 1_048_576 }), fc.constantFrom(-1, 0, 1_048_577, 1.5));
