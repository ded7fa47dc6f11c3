import { createHash } from 'node:crypto';

/**
 * Where Ruche keeps a file on a server, as the tests look for it (written from the layout's
 * description, not from the drivers' code): zone files and site files are spread over 256
 * subfolders named by the first two hex digits of the SHA-256 of the zone's name or site's id.
 */
export const subfolder = (name: string): string => createHash('sha256').update(name).digest('hex').slice(0, 2);

/** A site's file, relative to the live `/etc/nginx/ruche`. */
export const siteFile = (id: string): string => `sites/${subfolder(id)}/${id}.conf`;

/** A zone's file, relative to the live `/etc/knot/ruche`. */
export const zoneFile = (zone: string): string => `zones/${subfolder(zone)}/${zone}.zone`;
