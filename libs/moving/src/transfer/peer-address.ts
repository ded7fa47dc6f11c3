import net from 'node:net';
import { z } from 'zod';

const HOST_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** An IP address or a host name: where one server reaches another over SSH. */
export function isPeerHost(host: string): boolean {
  return net.isIP(host) !== 0 || HOST_NAME.test(host);
}

/** The API's rule for `peerAddress`: what it accepts, a transfer takes. */
export const peerAddressSchema = z.string().refine(isPeerHost, 'validation.peer_address_invalid');
