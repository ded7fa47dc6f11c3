import type { ServerConnection } from '@ruche/provisioning';

/** Files a maildir holds only while Dovecot works (deliveries in progress, locks): never copied. */
export const MAILDIR_TRANSIENT = ['Maildir/tmp/*', '*.lock'];

/**
 * Copying into a mailbox the receiving server already delivers to leaves Dovecot's own files
 * there alone (indexes, the UID list): the sender's copies would hide the messages delivered
 * since. Dovecot then rescans (`rescanMailboxes`).
 */
export const MAILDIR_INTO_LIVE_EXCLUDE = [...MAILDIR_TRANSIENT, 'dovecot*'];

/**
 * A maildir message is the same message in new/ or cur/, whatever flags follow its name's
 * colon; other files (subscriptions, folder marks) have no identity and are always copied.
 */
export function maildirMessage(relativePath: string): string | null {
  const match = /^(.*)\/(?:new|cur)\/([^/:]+)(?::[^/]*)?$/.exec(relativePath);
  return match ? `${match[1]}/${match[2]}` : null;
}

/** Dovecot rebuilds its indexes of these mailboxes (addresses), after messages were copied in beside it. */
export async function rescanMailboxes(connection: ServerConnection, addresses: readonly string[]): Promise<void> {
  if (addresses.length === 0) return;
  await connection.run(['sh', '-c', 'while IFS= read -r user; do doveadm force-resync -u "$user" "*" || exit 1; done', 'ruche-rescan-mailboxes'], { input: addresses.map((address) => `${address}\n`).join(''), timeoutMs: 600_000 });
}
