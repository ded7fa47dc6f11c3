import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';

/** Why a name was refused; each code has a message in the hosting catalogues (`validation.<code>`). */
export type NameProblem =
  | 'name_empty'
  | 'name_too_long'
  | 'label_too_long'
  | 'label_empty'
  | 'label_invalid'
  | 'wildcard_not_allowed'
  | 'idn_invalid'
  | 'single_label'
  | 'numeric_tld'
  | 'public_suffix'
  | 'unknown_tld'
  | 'ip_not_allowed'
  | 'control_character'
  | 'name_not_canonical';

export class NameError extends Error {
  constructor(readonly problem: NameProblem) {
    super(problem);
  }
}

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Record owner names may also hold service labels (`_sip`, `_dmarc`, `_domainkey`). */
const SERVICE_LABEL = /^_[a-z0-9](?:[a-z0-9-]{0,60}[a-z0-9])?$/;

export interface LabelOptions {
  allowUnderscore?: boolean;
  allowWildcard?: boolean;
}

/** Checks ASCII (already IDNA-converted, lowercase) labels against the DNS rules (RFC 1035, 5891). */
export function checkLabels(ascii: string, options: LabelOptions = {}): void {
  if (ascii.length === 0) throw new NameError('name_empty');
  if (ascii.length > 253) throw new NameError('name_too_long');
  const labels = ascii.split('.');
  labels.forEach((label, index) => {
    if (label.length === 0) throw new NameError('label_empty');
    if (label.length > 63) throw new NameError('label_too_long');
    if (label === '*') {
      if (!options.allowWildcard || index !== 0) throw new NameError('wildcard_not_allowed');
      return;
    }
    if (options.allowUnderscore && SERVICE_LABEL.test(label)) return;
    if (!LDH_LABEL.test(label)) throw new NameError(label.includes('*') ? 'wildcard_not_allowed' : 'label_invalid');
    // Hyphens in positions 3–4 are reserved for IDNA ("xn--"); anything else there is not a valid label.
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) throw new NameError('label_invalid');
    if (label.startsWith('xn--') && domainToUnicode(label) === '') throw new NameError('idn_invalid');
  });
}

/** C0 and C1 control characters (tab and newline among them), and DEL. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Lowercases, drops one trailing dot and surrounding spaces, converts Unicode to punycode
 * (UTS #46, as browsers do). What UTS #46 would change silently is refused instead: control
 * characters (the URL parser drops tabs and newlines), and characters it maps to others or to
 * nothing (a zero-width space, a soft hyphen, full-width letters).
 */
export function toAsciiName(input: string): string {
  if (CONTROL_CHARACTER.test(input)) throw new NameError('control_character');
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  if (trimmed.length === 0) throw new NameError('name_empty');
  if (trimmed.includes('*')) throw new NameError('wildcard_not_allowed');
  if (/^[\x21-\x7e]+$/.test(trimmed) && !trimmed.includes('xn--')) return trimmed;
  // domainToASCII accepts some things we do not (underscores): callers check the result too.
  const ascii = domainToASCII(trimmed);
  if (ascii === '') throw new NameError(trimmed.includes('xn--') || /[^\x00-\x7f]/.test(trimmed) ? 'idn_invalid' : 'label_invalid');
  // Each label typed in Unicode must come back as typed (NFC); each typed in ASCII, unchanged.
  const typed = trimmed.normalize('NFC').split('.');
  const converted = ascii.split('.');
  const unchanged =
    typed.length === converted.length &&
    typed.every((label, index) => (/[^\x00-\x7f]/.test(label) ? domainToUnicode(converted[index]!) === label : converted[index] === label));
  if (!unchanged) throw new NameError('name_not_canonical');
  return ascii;
}

export interface DomainName {
  ascii: string;
  unicode: string;
  /** The registrable domain (example.co.uk for a.example.co.uk). */
  registrable: string;
}

/** A name a client may add as a domain: real, registrable or below a registrable one, no wildcard. */
export function parseDomainName(input: string): DomainName {
  const ascii = toAsciiName(input);
  checkLabels(ascii);
  const labels = ascii.split('.');
  if (labels.length < 2) throw new NameError('single_label');
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw new NameError('numeric_tld');
  const info = parse(ascii, { allowPrivateDomains: true });
  if (info.isIp) throw new NameError('ip_not_allowed');
  if (!info.isIcann && !info.isPrivate) throw new NameError('unknown_tld');
  if (!info.domain) throw new NameError('public_suffix');
  return { ascii, unicode: domainToUnicode(ascii), registrable: info.domain };
}

/** A host name under one of a client's domains (for sites): same rules, wildcards refused. */
export function parseHostName(input: string): string {
  const ascii = toAsciiName(input);
  checkLabels(ascii);
  if (ascii.split('.').length < 2) throw new NameError('single_label');
  return ascii;
}

/** True when `name` is `parent` or below it (`www.example.org` is within `example.org`). */
export function isWithin(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}

/** Every ancestor of a name, nearest first: a.b.example.org → b.example.org, example.org, org. */
export function ancestors(ascii: string): string[] {
  const labels = ascii.split('.');
  return labels.slice(1).map((_, index) => labels.slice(index + 1).join('.'));
}
