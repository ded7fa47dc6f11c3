#!/usr/bin/env bash
# Makes sure the test server image ruche-server:<recipe-hash> (also tagged :latest) exists in the
# Docker engine, and prints its reference as the last line of stdout.
#
# Nothing can be pulled from a registry, so the image is bootstrapped from Debian's mirror:
#   debootstrap (minbase + the packages below)  -> .cache/server-image/base-<hash>.tar
#   + image/rootfs/ copied over, image/configure.sh run in a chroot
#                                               -> .cache/server-image/<recipe-hash>.tar
#   docker import                               -> ruche-server:<recipe-hash>
# Each step is skipped when its output exists, so a fresh Docker data-root re-imports in
# seconds, and editing image/ re-runs only the quick configure step, not debootstrap.
# The recipe hash covers this script, the package list and every file under image/.
#
# Engine: DOCKER_HOST if set, else whatever ensure-docker.sh prints.
set -euo pipefail

FLEET="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$FLEET/../.." && pwd -P)"
# A machine-wide cache (e.g. for CI's fresh clones on a reused machine) may be given instead.
CACHE="${RUCHE_SERVER_IMAGE_CACHE:-$ROOT/.cache/server-image}"
IMAGE=ruche-server
SUITE=bookworm
# The entrypoint also uses ss (iproute2) and runuser (util-linux, in minbase).
PACKAGES=(
  openssh-server nginx-light knot knot-dnsutils postfix dovecot-imapd dovecot-lmtpd opendkim opendkim-tools
  mariadb-server postgresql ca-certificates procps iproute2 openssl sudo rsync
)

log() { printf 'build-image: %s\n' "$*" >&2; }

hash_of() { sha256sum | cut -c1-16; }

# The base tree depends only on the suite and the packages; the recipe on everything.
# Bump BASE_FORMAT when the way the base tree is made changes.
BASE_FORMAT=2
BASE_HASH="$(printf '%s\n' "$BASE_FORMAT" "$SUITE" "${PACKAGES[@]}" | hash_of)"
RECIPE_HASH="$(
  {
    echo "base $BASE_HASH"
    sha256sum <"${BASH_SOURCE[0]}"
    # Paths relative to image/, so the hash is the same in every checkout.
    (cd "$FLEET/image" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | hash_of
)"
REFERENCE="$IMAGE:$RECIPE_HASH"
BASE_TAR="$CACHE/base-$BASE_HASH.tar"
RECIPE_TAR="$CACHE/$RECIPE_HASH.tar"

if [[ -z "${DOCKER_HOST:-}" ]]; then
  DOCKER_HOST="$(bash "$FLEET/ensure-docker.sh" | tail -n 1)"
  export DOCKER_HOST
fi

image_present() { docker image inspect "$REFERENCE" >/dev/null 2>&1; }

finish() {
  docker tag "$REFERENCE" "$IMAGE:latest" >&2
  echo "$REFERENCE"
  exit 0
}

image_present && finish

mkdir -p "$CACHE"
# Parallel test files all call this script: the first one builds, the others wait and reuse.
exec 9>"$CACHE/build.lock"
flock 9
image_present && finish

# The first deb822 stanza or one-line entry for the plain suite with a main component.
debian_mirror() {
  local mirror=''
  shopt -s nullglob
  local one_line=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  local deb822=(/etc/apt/sources.list.d/*.sources)
  shopt -u nullglob
  if ((${#one_line[@]})); then
    mirror="$(awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } # skip [options]
        if ($(i + 1) != suite) next
        for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit }
      }' "${one_line[@]}" 2>/dev/null || true)"
  fi
  if [[ -z "$mirror" ]] && ((${#deb822[@]})); then
    mirror="$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; components = ""; enabled = "yes"
        for (n = 1; n <= NF; n++) {
          line = $n
          if (line ~ /^#/) continue
          key = tolower(line); sub(/:.*/, "", key)
          value = line; sub(/^[^:]*:[ \t]*/, "", value)
          if (key == "types") types = value
          else if (key == "uris") uris = value
          else if (key == "suites") suites = value
          else if (key == "components") components = value
          else if (key == "enabled") enabled = tolower(value)
        }
        if (enabled == "no") next
        if ((" " types " ") !~ / deb /) next
        if ((" " suites " ") !~ (" " suite " ")) next
        if ((" " components " ") !~ / main /) next
        split(uris, first, " "); print first[1]; exit
      }' "${deb822[@]}" 2>/dev/null || true)"
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

# Trees from an interrupted build are useless: start over. They hold device nodes and
# root-owned files, hence rm as root only within our own cache folder.
rm -rf "$CACHE"/build-*
WORK="$CACHE/build-$RECIPE_HASH"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"

if [[ ! -f "$RECIPE_TAR" ]]; then
  mkdir -p "$ROOTFS"
  if [[ -f "$BASE_TAR" ]]; then
    log "unpacking cached base $BASE_TAR"
    tar --numeric-owner -C "$ROOTFS" -xf "$BASE_TAR"
  else
    command -v debootstrap >/dev/null || { log "debootstrap is missing (ensure-docker.sh installs it)"; exit 1; }
    mirror="$(debian_mirror)"
    log "debootstrap $SUITE from $mirror into $ROOTFS (about two minutes)"
    started=$SECONDS
    # C.UTF-8 so PostgreSQL's main cluster is initialised in UTF-8; the build machine's locale
    # may not exist in the new tree.
    LC_ALL=C.UTF-8 LANG=C.UTF-8 debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
      "$SUITE" "$ROOTFS" "$mirror" >"$WORK/debootstrap.log" 2>&1 || {
      log "debootstrap failed; last lines of its log:"
      tail -n 30 "$WORK/debootstrap.log" >&2
      tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2 2>/dev/null || true
      exit 1
    }
    log "debootstrap done in $((SECONDS - started))s"
    tar --numeric-owner -C "$ROOTFS" -cf "$BASE_TAR.partial" .
    mv "$BASE_TAR.partial" "$BASE_TAR"
  fi

  log "configuring the image ($RECIPE_HASH)"
  # Copied without the checkout's modes and owner: configure.sh sets the ones that matter.
  cp -R --no-preserve=mode,ownership "$FLEET/image/rootfs/." "$ROOTFS/"
  cp "$FLEET/image/configure.sh" "$ROOTFS/ruche-configure.sh"
  LC_ALL=C.UTF-8 chroot "$ROOTFS" /bin/bash /ruche-configure.sh </dev/null >&2
  rm -f "$ROOTFS/ruche-configure.sh"
  # Docker provides /dev: keep the mount point, drop the nodes debootstrap made (the chroot
  # above needed /dev/null).
  find "$ROOTFS/dev" -mindepth 1 -delete

  tar --numeric-owner -C "$ROOTFS" -cf "$RECIPE_TAR.partial" .
  mv "$RECIPE_TAR.partial" "$RECIPE_TAR"
fi

log "importing $RECIPE_TAR as $REFERENCE"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENTRYPOINT ["/usr/local/sbin/ruche-server-start"]' \
  --change 'CMD []' \
  --change "LABEL ruche.recipe=$RECIPE_HASH" \
  "$RECIPE_TAR" "$REFERENCE" >&2

# Old recipes' tarballs: keep the three newest of each kind (switching branches stays fast).
for pattern in 'base-[0-9a-f]{16}\.tar' '[0-9a-f]{16}\.tar'; do
  find "$CACHE" -maxdepth 1 -regextype posix-extended -regex ".*/$pattern" -printf '%T@ %p\n' |
    sort -rn | tail -n +4 | cut -d' ' -f2- |
    while IFS= read -r old; do
      log "removing old cached tarball $old"
      rm -f "$old"
    done
done

# Images of earlier recipes take half a gigabyte each in the engine. :latest moves first, so
# removing an old tag frees its image; one still used by a container stays (docker refuses).
# RUCHE_SERVER_IMAGE_KEEP=1 keeps them (several checkouts sharing one engine).
docker tag "$REFERENCE" "$IMAGE:latest" >&2
[[ "${RUCHE_SERVER_IMAGE_KEEP:-}" == 1 ]] && finish
for old in $(docker image ls "$IMAGE" --format '{{.Tag}}'); do
  [[ "$old" =~ ^[0-9a-f]{16}$ && "$old" != "$RECIPE_HASH" ]] || continue
  if docker image rm "$IMAGE:$old" >/dev/null 2>&1; then log "removed old image $IMAGE:$old"; fi
done

finish
