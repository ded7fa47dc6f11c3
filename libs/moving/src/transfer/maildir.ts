/**
 * A maildir message is the same message in new/ or cur/, whatever flags follow its name's
 * colon; other files (subscriptions, folder marks) have no identity and are always copied.
 */
export function maildirMessage(relativePath: string): string | null {
  const match = /^(.*)\/(?:new|cur)\/([^/:]+)(?::[^/]*)?$/.exec(relativePath);
  return match ? `${match[1]}/${match[2]}` : null;
}
