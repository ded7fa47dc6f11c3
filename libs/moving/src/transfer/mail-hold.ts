/** A mail domain as it may go, checked, on a command line: letters, digits, hyphens and dots. */
export const MAIL_DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * A shell function for a server whose Postfix now answers 450 for some domains (its
 * arguments): it delivers what Postfix had already queued for them, and fails if mail for them
 * is still queued after about a minute. Both mail holds use it: a move's old server, and an
 * AlternC server in an import's last pass.
 */
export const DELIVER_QUEUED = `deliver_queued() {
  sleep 1
  i=0
  while [ $i -lt 600 ]; do
    pending=0
    # For the domain: a recipient's address (not the sender's: mail its users send out may wait
    # for days at a greylisting server), in any case (Postfix keeps the case the client used).
    for domain; do if postqueue -j 2>/dev/null | grep -o '"address": *"[^"]*"' | grep -q -i -F "@$domain\\""; then pending=1; fi; done
    [ $pending -eq 0 ] && return 0
    postqueue -f > /dev/null 2>&1 || true
    sleep 0.1; i=$((i + 1))
  done
  echo "mail for $* is still queued on this server" >&2
  return 1
}`;
