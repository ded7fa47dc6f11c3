/** A mail domain as it may go, checked, on a command line: letters, digits, hyphens and dots. */
export const MAIL_DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * A shell function for a server whose Postfix now answers 450 for some domains (the file `$1`,
 * one lowercase name per line): it delivers what Postfix had already queued for them, and fails
 * if mail for them is still queued after a minute. One look at the queue per try, however
 * many domains (an AlternC server's thousands). Both mail holds use it: a move's old server, and
 * an AlternC server in an import's last pass.
 */
export const DELIVER_QUEUED = `deliver_queued() {
  sleep 1
  end=$(($(date +%s) + 60))
  while :; do
    # The domains of the recipients' addresses (not the sender's: mail a user sends out may wait
    # for days at a greylisting server), in any case (Postfix keeps the case the client used).
    pending=$(postqueue -j 2>/dev/null | grep -o '"address": *"[^"]*"' | sed 's/^.*@//; s/"$//' | tr '[:upper:]' '[:lower:]' | LC_ALL=C sort -u | grep -xF -f "$1" | head -n 5 | tr '\\n' ' ')
    [ -n "$pending" ] || return 0
    [ "$(date +%s)" -lt "$end" ] || break
    postqueue -f > /dev/null 2>&1 || true
    sleep 0.1
  done
  echo "mail for \${pending% } is still queued on this server" >&2
  return 1
}`;
