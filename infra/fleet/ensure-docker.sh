#!/usr/bin/env bash
# Makes sure a Docker engine answers, and prints its address (unix:///…) as the last line of stdout.
#
# 1. An engine the caller already points at (DOCKER_HOST) or the system one (/var/run/docker.sock) is reused.
# 2. Otherwise the project's private engine is used, started if needed:
#    Debian's docker.io is installed when dockerd is missing, then dockerd runs detached on
#    $ROOT/var/docker/docker.sock with all its state under $ROOT/var/docker.
# Safe to run concurrently (a lock serialises starts), as root, without standard input (CI).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
STATE="$ROOT/var/docker"
SOCKET="$STATE/docker.sock"
PIDFILE="$STATE/dockerd.pid"
LOGFILE="$STATE/dockerd.log"
START_TIMEOUT_SECONDS="${RUCHE_DOCKERD_START_TIMEOUT:-60}"

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

answers() { # $1: engine address
  command -v docker >/dev/null 2>&1 && docker --host "$1" info >/dev/null 2>&1
}

if [[ -n "${DOCKER_HOST:-}" ]]; then
  # An explicit choice is never second-guessed: fail rather than start another engine behind its back.
  if answers "$DOCKER_HOST"; then
    echo "$DOCKER_HOST"
    exit 0
  fi
  log "DOCKER_HOST=$DOCKER_HOST is set but no engine answers there"
  exit 1
fi

# The private engine first: once it exists, every caller (and dockerClient()) agrees on it.
if [[ -S "$SOCKET" ]] && answers "unix://$SOCKET"; then
  echo "unix://$SOCKET"
  exit 0
fi

if [[ -S /var/run/docker.sock ]] && answers unix:///var/run/docker.sock; then
  echo "unix:///var/run/docker.sock"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  log "no Docker engine answers, and starting the private one needs root"
  exit 1
fi

apt_updated=0
install_debian_package() { # $1: package name
  if [[ "$apt_updated" -eq 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    apt_updated=1
  fi
  log "installing $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" </dev/null >&2
}

mkdir -p "$STATE"
# Concurrent callers (parallel test files) wait here for the first one to finish starting the engine.
exec 9>"$STATE/ensure.lock"
flock 9

# Installs happen under the lock too: two apt-get runs at once would fail on dpkg's own lock.
# docker.io brings both the engine and the client that `answers` uses.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  install_debian_package docker.io
fi
command -v debootstrap >/dev/null 2>&1 || install_debian_package debootstrap

running_pid() { # prints the private dockerd's pid if it is alive
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] && echo "$pid"
}

if pid="$(running_pid)"; then
  log "private dockerd already running (pid $pid), waiting for it to answer"
else
  mkdir -p "$STATE/data" "$STATE/exec"
  # A socket or pid file left by a killed engine would make dockerd refuse to start.
  rm -f "$SOCKET" "$PIDFILE"
  log "starting private dockerd on unix://$SOCKET (log: $LOGFILE)"
  # setsid + nohup: the engine outlives this script and the test run that called it.
  # Its output goes to the log only, so callers reading our stdout are not kept waiting on the
  # pipe, and it must not inherit the lock (fd 9), or it would hold it for its whole life.
  setsid nohup dockerd \
    --host "unix://$SOCKET" \
    --data-root "$STATE/data" \
    --exec-root "$STATE/exec" \
    --pidfile "$PIDFILE" \
    </dev/null >>"$LOGFILE" 2>&1 9>&- &
fi

deadline=$((SECONDS + START_TIMEOUT_SECONDS))
until answers "unix://$SOCKET"; do
  if ((SECONDS >= deadline)); then
    log "dockerd did not answer on unix://$SOCKET within ${START_TIMEOUT_SECONDS}s; last lines of $LOGFILE:"
    tail -n 30 "$LOGFILE" >&2 || true
    exit 1
  fi
  sleep 0.2
done

log "private dockerd answers"
echo "unix://$SOCKET"
