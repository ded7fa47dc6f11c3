#!/usr/bin/env bash
# Stops the project's private dockerd (the one ensure-docker.sh started), found by its pid file.
# Engines started any other way are left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
STATE="$ROOT/var/docker"
PIDFILE="$STATE/dockerd.pid"
STOP_TIMEOUT_SECONDS="${RUCHE_DOCKERD_STOP_TIMEOUT:-60}"

log() { printf 'stop-docker: %s\n' "$*" >&2; }

if [[ ! -f "$PIDFILE" ]]; then
  log "no private dockerd (no $PIDFILE)"
  exit 0
fi

pid="$(cat "$PIDFILE")"
# The pid file may outlive the engine, and the pid may since belong to another program.
if ! [[ "$pid" =~ ^[0-9]+$ ]] || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]]; then
  log "private dockerd is not running (stale pid file)"
  rm -f "$PIDFILE"
  exit 0
fi

log "stopping private dockerd (pid $pid)"
# SIGTERM: dockerd stops its containers and its containerd, then exits.
kill -TERM "$pid"
deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
# Gone, or a zombie its parent has not reaped yet.
running() { [[ -d "/proc/$pid" && "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; }
while running; do
  if ((SECONDS >= deadline)); then
    log "dockerd (pid $pid) still running after ${STOP_TIMEOUT_SECONDS}s; see $STATE/dockerd.log"
    exit 1
  fi
  sleep 0.2
done
log "stopped"
