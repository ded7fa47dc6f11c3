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
