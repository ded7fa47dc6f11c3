import { AddressError, parseExternalAddress, parseLocalAddress } from '@ruche/hosting';
import { MANAGED_HEADER } from '../driver.js';

/** A value Ruche refuses to write into a Postfix lookup table. */
export class UnsafeMapEntry extends Error {}

/** A hosted address (mailbox or alias; `*@domain` a catch-all), as stored: canonical or refused. */
export function hostedAddress(address: string, options: { allowCatchAll?: boolean } = {}): string {
  try {
    if (parseLocalAddress(address, options).address === address) return address;
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
  }
  throw new UnsafeMapEntry(`address ${JSON.stringify(address)} is not valid`);
}

/** A destination of a forward, as stored: canonical or refused. */
export function destinationAddress(address: string): string {
  try {
    if (parseExternalAddress(address) === address) return address;
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
  }
  throw new UnsafeMapEntry(`destination ${JSON.stringify(address)} is not valid`);
}

/** The key Postfix looks up: a catch-all `*@domain` is written `@domain` (virtual(5)). */
export function mapKey(address: string): string {
  const checked = hostedAddress(address, { allowCatchAll: true });
  return checked.startsWith('*@') ? checked.slice(1) : checked;
}

/**
 * A Postfix lookup table (`key value` per line, for postmap), sorted so the same entries give
 * the same bytes. Every key and value is checked again here: nothing with a space, a comma or a
 * line break can reach the file.
 */
export function renderMap(entries: ReadonlyArray<{ key: string; value: string }>): string {
  const lines = entries.map(({ key, value }) => {
    if (!/^[\x21-\x7e]+$/.test(key) || key.startsWith('#')) throw new UnsafeMapEntry(`map key ${JSON.stringify(key)} is not valid`);
    if (!/^[\x21-\x7e]+(,[\x21-\x7e]+)*$/.test(value)) throw new UnsafeMapEntry(`map value ${JSON.stringify(value)} is not valid`);
    return `${key} ${value}`;
  });
  return [`# ${MANAGED_HEADER}`, ...lines.sort(), ''].join('\n');
}

/** Where Dovecot keeps each mailbox's mail: one folder per mailbox, named by its id (never by client input). */
export const MAILDIR_ROOT = '/var/mail/ruche';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function mailboxHome(id: string): string {
  if (!UUID.test(id)) throw new UnsafeMapEntry(`mailbox id ${JSON.stringify(id)} is not valid`);
  return `${MAILDIR_ROOT}/${id}`;
}

/** A password hash as Dovecot reads it (`{SCHEME}…`): nothing that could end a passwd-file field or line. */
export function dovecotHash(hash: string): string {
  if (!/^\{[A-Z0-9.-]{1,32}\}[\x21-\x39\x3b-\x7e]{1,512}$/.test(hash)) throw new UnsafeMapEntry('password hash is not in a scheme Dovecot reads');
  return hash;
}

export function quotaMegabytes(quotaMb: number): number {
  if (!Number.isSafeInteger(quotaMb) || quotaMb < 1 || quotaMb > 1_048_576) throw new UnsafeMapEntry(`quota ${JSON.stringify(quotaMb)} is not valid`);
  return quotaMb;
}

/**
 * The tables a mail resource contributes to, one `<table> <key> <value>` line each, assembled
 * on the server into Postfix's maps and Dovecot's passwd file (`passwd` lines carry one whole
 * passwd-file line). Every value is checked again here.
 */
export type MailTable = 'mailboxes' | 'aliases' | 'senders' | 'passwd';

function fragment(lines: ReadonlyArray<[MailTable, string]>): string {
  return [`# ${MANAGED_HEADER}`, ...lines.map(([table, line]) => `${table} ${line}`), ''].join('\n');
}

/** A map line, checked as `renderMap` checks it. */
function mapLine(key: string, value: string): string {
  return renderMap([{ key, value }]).split('\n')[1]!;
}

/**
 * A mailbox: it exists for Postfix; its address maps to itself (so that a catch-all of its
 * domain never takes its mail) and to its forwards, if any; it may send as itself; Dovecot
 * knows its password, folder and quota.
 */
export function mailboxFragment(mailbox: { id: string; address: string; passwordHash: string; quotaMb: number; forwards: readonly string[] }): string {
  const address = hostedAddress(mailbox.address);
  const forwards = mailbox.forwards.map(destinationAddress);
  const passwd = `${address}:${dovecotHash(mailbox.passwordHash)}::::${mailboxHome(mailbox.id)}::userdb_quota_rule=*:storage=${quotaMegabytes(mailbox.quotaMb)}M`;
  return fragment([
    ['mailboxes', mapLine(address, 'OK')],
    ['aliases', mapLine(address, [address, ...forwards].join(','))],
    ['senders', mapLine(address, address)],
    ['passwd', passwd],
  ]);
}

/** An alias, forward or catch-all: its address goes to its destinations, and they may send as it. */
export function aliasFragment(alias: { address: string; destinations: readonly string[] }): string {
  const key = mapKey(alias.address);
  const destinations = alias.destinations.map(destinationAddress);
  if (destinations.length === 0) throw new UnsafeMapEntry(`alias ${JSON.stringify(alias.address)} has no destination`);
  return fragment([
    ['aliases', mapLine(key, destinations.join(','))],
    ['senders', mapLine(key, destinations.join(','))],
  ]);
}

/** The domains Postfix accepts mail for (virtual_mailbox_domains). */
export function domainsMap(domains: readonly string[]): string {
  return renderMap(domains.map((domain) => ({ key: mailDomain(domain), value: 'OK' })));
}

const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function mailDomain(domain: string): string {
  if (!DOMAIN.test(domain) || domain.length > 253) throw new UnsafeMapEntry(`domain ${JSON.stringify(domain)} is not valid`);
  return domain;
}
