import { MANAGED_HEADER } from '../driver.js';

/**
 * The shell scripts the mail driver runs on a server. They are fixed strings: every value
 * reaches them as a positional argument or on standard input, never inside the script.
 */

/** Where the maps Postfix and Dovecot read are assembled, one folder per release; `maps` links to the live one. */
export const MAIL_STATE = '/var/lib/ruche/mail';

/**
 * assemble <release> <out>: the daemons' maps from the release's per-resource fragments
 * (`mailboxes/<id>`, `aliases/<id>`, each line `<table> <key> <value>`), in a stable order,
 * with `<table>.ids` naming the resource behind each line (a checker's "line N" is pinned on it).
 */
const ASSEMBLE = `assemble() {
  rm -rf -- "$2" && mkdir -p -m 0750 -- "$2" && chgrp dovecot "$2" || return 1
  if [ -f "$1/domains" ]; then cp -- "$1/domains" "$2/domains"; else : > "$2/domains"; fi
  for t in mailboxes aliases senders passwd; do printf '%s\\n' '# ${MANAGED_HEADER}' > "$2/$t"; echo - > "$2/$t.ids"; done
  for d in mailboxes aliases; do [ -d "$1/$d" ] && find "$1/$d" -type f -print0; done | LC_ALL=C sort -z | xargs -0 -r awk -v out="$2" '
    FNR == 1 { id = FILENAME; sub(/.*\\//, "", id) }
    /^#/ || NF == 0 { next }
    $1 == "mailboxes" || $1 == "aliases" || $1 == "senders" || $1 == "passwd" {
      print substr($0, length($1) + 2) >> (out "/" $1); print id >> (out "/" $1 ".ids")
    }' || return 1
}`;

/**
 * The check of a staged release (argv: release, assembled folder). Permissions first: the
 * release holds password hashes (root only) and DKIM keys (OpenDKIM reads them as its own
 * user, and refuses keys others can read). Then the maps are assembled and read back by
 * Postfix's own parser (postmap, the same texthash type Postfix serves), the passwd lines
 * checked field by field, and Dovecot's configuration, which names them, read as a whole
 * (`postfix check` takes seconds: it runs when the server is prepared, not at every release).
 * A line a checker refuses is reported as `ruche-refused <resource id> <message>`.
 */
export const CHECK = `${ASSEMBLE}
release=$1; out=$2
chown root:opendkim "$release" && chmod 0750 "$release" || exit 1
for d in mailboxes aliases; do [ ! -d "$release/$d" ] || chmod 0700 "$release/$d" || exit 1; done
if [ -d "$release/dkim" ]; then
  chown -R root:opendkim "$release/dkim" && find "$release/dkim" -type d -exec chmod 0750 {} + && find "$release/dkim" -type f -exec chmod 0640 {} + || exit 1
  if [ -d "$release/dkim/keys" ]; then find "$release/dkim/keys" -type f -exec chown opendkim {} + -exec chmod 0600 {} + || exit 1; fi
fi
assemble "$release" "$out" || { echo "cannot assemble the maps in $out" >&2; exit 1; }
refused=0; general=0
pin() { # table, line number, message
  id=$(sed -n "$2p" "$out/$1.ids" 2>/dev/null)
  if [ -n "$id" ]; then printf 'ruche-refused %s %s\\n' "$id" "$3"; refused=1; else printf '%s\\n' "$3" >&2; general=1; fi
}
for t in domains mailboxes aliases senders; do
  postmap -s "texthash:$out/$t" > /dev/null 2> "$out/.postmap" || general=1
  while IFS= read -r line; do
    message=$(printf '%s' "$line" | sed "s|$out/||; s|^postmap: ||")
    n=$(printf '%s' "$line" | sed -n 's/.*, line \\([0-9][0-9]*\\):.*/\\1/p')
    if [ -n "$n" ] && [ "$t" != domains ]; then pin "$t" "$n" "postmap: $message"; else printf '%s\\n' "$message" >&2; general=1; fi
  done < "$out/.postmap"
  rm -f -- "$out/.postmap"
done
awk -F: '!/^#/ && !(NF == 9 && $1 ~ /^[a-z0-9._+-]+@[a-z0-9.-]+$/ && $2 ~ /^[{][A-Z0-9.-]+[}]./ && $3 $4 $5 $7 == "" && $6 ~ /^\\/var\\/mail\\/ruche\\/[0-9a-f-]+$/ && $8 ~ /^userdb_quota_rule=[*]$/ && $9 ~ /^storage=[0-9]+M$/) { print NR }' "$out/passwd" |
  while read -r n; do printf '%s\\n' "$n"; done > "$out/.passwd"
while read -r n; do pin passwd "$n" "passwd line $n is not one Dovecot reads"; done < "$out/.passwd"
rm -f -- "$out/.passwd"
doveconf -n > /dev/null 2> "$out/.doveconf" || { cat "$out/.doveconf" >&2; general=1; }
rm -f -- "$out/.doveconf"
[ $refused -eq 0 ] && [ $general -eq 0 ]`;

/**
 * After the swap (argv: probe address, its expected quota rule, a removed address to probe;
 * standard input: `<home> <archive>` of each mailbox removed). The live release's maps become
 * the ones served so that no message a daemon takes is refused by the one after it (it would
 * bounce, or go looking for another server) or left in the queue (for minutes). Each daemon
 * reads the maps through a link of its own, moved in turn: first Dovecot's users, then Postfix's
 * queue side (domains, the aliases cleanup expands) go to the union of the old maps and the new
 * ones (what either routes is delivered), Postfix reloaded and its old processes waited out;
 * then its receiving side (smtpd: what it takes or refuses) to the new maps, reloaded; then,
 * when something was removed, the queue side to the new maps, reloaded, and Dovecot's.
 * Dovecot reads its passwd file again when the file's time (in seconds) or size differ, at the
 * first lookup in a later second: no reload (it would cut deliveries in progress with 421).
 * OpenDKIM reloads before its next message. Then the folders of removed mailboxes go, only once
 * their archive exists (mail that arrived after it was made is archived again first).
 */
export const ACTIVATE = `set -e
${ASSEMBLE}
state=${MAIL_STATE}
live=$(readlink -f /etc/ruche/mail); rel=\${live##*/}
[ -f "$state/built/$rel/passwd" ] || assemble "$live" "$state/built/$rel"
swap() { ln -sfn "built/$2" "$state/$1.new"; mv -T -- "$state/$1.new" "$state/$1"; }
# Dovecot's next passwd file: newer than the one it reads, and read once the second is over.
newer() {
  was=$(stat -L -c %Y "$state/maps/passwd" 2>/dev/null || echo 0)
  [ "$(stat -c %Y "$1")" -gt "$was" ] || touch -d "@$((was + 1))" "$1"
}
dovecot_reads() {
  second=$(date +%s)
  while [ "$(date +%s)" -le "$second" ]; do sleep 0.02; done
  doveadm user nobody@invalid > /dev/null 2>&1 || :
}
master=$(head -n 1 /var/spool/postfix/pid/master.pid 2>/dev/null | tr -dc 0-9)
[ -n "$master" ] || { echo "Postfix is not running" >&2; exit 1; }
# The master has reloaded once it has a queue manager it started since (not one of its children
# before the reload: the old one may still be exiting); the old idle processes then
# go at once, and one still busy with a client (its session on the old maps) is not waited for
# beyond three seconds. The master starts a queue manager only when one is asked for: the
# wakeup it sends at the reload may reach the old one just before it exits, so a queue manager
# missing for a fifth of a second is asked for again (a wakeup only makes it look at new mail).
reload() {
  before=$(pgrep -P "$master" | tr '\\n' ' ')
  out=$(postfix reload 2>&1) || { echo "postfix reload failed: $out" >&2; exit 1; }
  since=$(date +%s); gone=0; reloaded=no
  while :; do
    now=$(pgrep -P "$master" -x qmgr || true)
    for pid in $now; do case " $before " in *" $pid "*) ;; *) reloaded=yes ;; esac; done
    if [ -n "$now" ]; then gone=0; else gone=$((gone + 1)); fi
    [ $gone -lt 10 ] || { postkick public qmgr W 2>/dev/null || :; gone=0; }
    left=''
    for pid in $before; do if kill -0 "$pid" 2>/dev/null; then left="$left $pid"; fi; done
    waited=$(($(date +%s) - since))
    if [ $reloaded = yes ] && { [ -z "$left" ] || [ $waited -ge 3 ]; }; then break; fi
    if [ $waited -ge 60 ]; then
      if [ -n "$now" ]; then echo "Postfix did not reload within a minute: its queue manager is still the old process ($now)" >&2
      else echo "Postfix did not reload within a minute: it started no new queue manager" >&2; fi
      log=$(postconf -h maillog_file 2>/dev/null || true); [ ! -f "$log" ] || tail -n 20 -- "$log" >&2 || :
      exit 1
    fi
    sleep 0.02
  done
}

# The union, in a folder of this run's own (an earlier run stopped half-way may have left a
# daemon reading its own): each map's new lines, then the old lines whose key the new lack.
both=$(mktemp -d "$state/built/$rel.both-XXXXXX"); both=\${both##*/}
chmod 0750 -- "$state/built/$both"
chgrp dovecot "$state/built/$both"
for t in domains mailboxes aliases senders passwd; do
  sep=' '; [ $t != passwd ] || sep=:
  old=$(readlink -f "$state/postfix")/$t; [ $t != passwd ] || old=$state/maps/passwd
  if [ -f "$old" ]; then
    awk -F "$sep" 'FNR == NR { if (!/^#/ && NF > 0) seen[$1] = 1; print; next } !/^#/ && NF > 1 && !($1 in seen)' "$state/built/$rel/$t" "$old" > "$state/built/$both/$t"
  else
    cp -- "$state/built/$rel/$t" "$state/built/$both/$t"
  fi
done
# Dovecot first (Postfix's queue side, moved next, may route mail to a mailbox the union adds).
users=changed; cmp -s -- "$state/built/$both/passwd" "$state/maps/passwd" && users=same
newer "$state/built/$both/passwd"
swap maps "$both"
[ $users = same ] || dovecot_reads
since=$(date +%s)
until
  if [ -n "$1" ]; then [ "$(doveadm user -f quota_rule "$1" 2>/dev/null)" = "$2" ]; else true; fi
do
  [ $(($(date +%s) - since)) -lt 60 ] || { echo "Dovecot does not serve the new mailboxes a minute after they were written" >&2; exit 1; }
  sleep 0.02
done
swap postfix "$both"
reload
swap smtpd "$rel"
reload
removed=no
for t in domains aliases; do cmp -s -- "$state/built/$rel/$t" "$state/built/$both/$t" || removed=yes; done
swap postfix "$rel"
[ $removed = no ] || reload
newer "$state/built/$rel/passwd"
swap maps "$rel"
if [ -n "$3" ] || ! cmp -s -- "$state/built/$rel/passwd" "$state/built/$both/passwd"; then dovecot_reads; fi
if [ -n "$3" ]; then doveadm user "$3" > /dev/null 2>&1 && { echo "Dovecot still serves $3 after it was removed" >&2; exit 1; } || [ $? -eq 67 ] || { echo "Dovecot did not answer for $3" >&2; exit 1; }; fi

if [ -f /run/opendkim/opendkim.pid ]; then kill -USR1 "$(cat /run/opendkim/opendkim.pid)"; fi

while read -r home archive; do
  [ -d "$home" ] || continue
  if [ ! -f "$archive" ]; then echo "$home has no archive at $archive: left in place" >&2; continue; fi
  if [ -n "$(find "$home" -newer "$archive" -type f -print -quit)" ]; then
    (umask 077; tar -C "$home" -czf "$archive.tmp" . && mv -f -- "$archive.tmp" "$archive")
  fi
  rm -rf -- "$home"
done

for dir in "$state"/built/*; do
  name=\${dir##*/}
  [ "$name" = "$rel" ] || [ -d "/etc/ruche/mail.releases/$name" ] || rm -rf -- "$dir"
done`;

/** Standard input: `<home> <archive>` per mailbox being deleted; prints each archive's size. */
export const ARCHIVE = `set -e
umask 077
while read -r home archive; do
  mkdir -p -- "\${archive%/*}"
  if [ -d "$home" ]; then tar -C "$home" -czf "$archive.tmp" .; else tar -czf "$archive.tmp" -T /dev/null; fi
  mv -f -- "$archive.tmp" "$archive"
  stat -c %s -- "$archive"
done`;

/** Standard input: `<home> <archive>` per mailbox made again from an archive; prints `restored` or `missing` each. */
export const RESTORE = `set -e
while read -r home archive; do
  if [ -f "$archive" ]; then
    mkdir -p -- "$home"
    tar -C "$home" -xzf "$archive" --no-same-owner --no-same-permissions
    chown -R vmail:vmail "$home"
    chmod 0700 "$home"
    echo restored
  else
    echo missing
  fi
done`;

/** Bytes on disk under each mailbox folder read on standard input (0 for one not made yet), one line each. */
export const MEASURE = `while read -r dir; do
  if [ -d "$dir" ] && [ ! -L "$dir" ]; then du -s -x -P -B1 -- "$dir" | cut -f1; else echo 0; fi
done`;
