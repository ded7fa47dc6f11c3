import { checkLabels, CONTROL_CHARACTER, NameError, toAsciiName } from './domain-name.js';

/**
 * Local parts Ruche accepts for its own mailboxes and aliases: RFC 5321 dot-atoms, narrowed to
 * what is safe in every map and config file they end up in (no quotes, spaces or commas).
 */
const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;
/** External destinations may use the rest of the dot-atom characters. */
const EXTERNAL_LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export type AddressProblem = 'address_invalid' | 'local_part_invalid' | 'local_part_too_long' | 'address_domain_invalid' | 'control_character';

export class AddressError extends Error {
  constructor(readonly problem: AddressProblem) {
    super(problem);
  }
}

export interface MailAddress {
  localPart: string;
  domain: string;
  address: string;
}

function split(input: string): [string, string] {
  if (CONTROL_CHARACTER.test(input)) throw new AddressError('control_character');
  const value = input.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) throw new AddressError('address_invalid');
  return [value.slice(0, at), value.slice(at + 1)];
}

function domainPart(raw: string): string {
  try {
    const ascii = toAsciiName(raw);
    checkLabels(ascii);
    if (!ascii.includes('.')) throw new AddressError('address_domain_invalid');
    return ascii;
  } catch (error) {
    if (error instanceof NameError) throw new AddressError('address_domain_invalid');
    throw error;
  }
}

/** An address Ruche hosts (mailbox or alias). `allowCatchAll` accepts `*@domain`. */
export function parseLocalAddress(input: string, options: { allowCatchAll?: boolean } = {}): MailAddress {
  const [local, rawDomain] = split(input);
  if (local.length > 64) throw new AddressError('local_part_too_long');
  const catchAll = options.allowCatchAll && local === '*';
  if (!catchAll && (!LOCAL_PART.test(local) || local.includes('..'))) throw new AddressError('local_part_invalid');
  const domain = domainPart(rawDomain);
  return { localPart: local, domain, address: `${local}@${domain}` };
}

/** Any deliverable address, for forwards. */
export function parseExternalAddress(input: string): string {
  const [local, rawDomain] = split(input);
  if (local.length > 64) throw new AddressError('local_part_too_long');
  if (!EXTERNAL_LOCAL_PART.test(local)) throw new AddressError('local_part_invalid');
  return `${local}@${domainPart(rawDomain)}`;
}
