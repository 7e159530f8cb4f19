#!/usr/bin/env bash
# Shared settings for the local infrastructure scripts. Every value can be overridden from the
# environment; the defaults match .env.example and docker-compose.yml.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$REPO_ROOT/.infra}"
INFRA_CACHE="${INFRA_CACHE:-$INFRA_DIR/cache}"
INFRA_DATA="${INFRA_DATA:-$INFRA_DIR/data}"
INFRA_RUN="${INFRA_RUN:-$INFRA_DIR/run}"
INFRA_START_TIMEOUT="${INFRA_START_TIMEOUT:-120}"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
KAFKA_SCALA_VERSION="${KAFKA_SCALA_VERSION:-2.13}"
LOG4J_VERSION="${LOG4J_VERSION:-2.25.3}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
KAFKA_HOME="$INFRA_CACHE/kafka-$KAFKA_VERSION"
KAFKA_DATA="$INFRA_DATA/kafka"

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
MONGO_HOST="${MONGO_HOST:-127.0.0.1}"
MONGO_PORT="${MONGO_PORT:-27017}"
FERRETDB_DEBUG_PORT="${FERRETDB_DEBUG_PORT:-8088}"
# "-idpatch-pushdown": built with the _id lookup fix and the index pushdown patch in install.sh
# (a new name so old caches rebuild).
FERRETDB_HOME="$INFRA_CACHE/ferretdb-$FERRETDB_VERSION-idpatch-pushdown"
FERRETDB_BIN="$FERRETDB_HOME/ferretdb"
# The build before the pushdown patch (the _id fix only), kept for the read bench's baseline.
FERRETDB_BASELINE_HOME="$INFRA_CACHE/ferretdb-$FERRETDB_VERSION-idpatch"
FERRETDB_BASELINE_BIN="$FERRETDB_BASELINE_HOME/ferretdb"
FERRETDB_DATA="$INFRA_DATA/ferretdb"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

require_tool() {
  local tool="$1" why="$2"
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed; it is needed to $why. Install it (Debian: $3) and run again."
}

# pid_alive FILE MARKER: true when FILE names a running process whose command line contains MARKER.
# The marker check means we never signal an unrelated process that reused the pid.
pid_alive() {
  local file="$1" marker="$2" pid
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for DESCRIPTION TIMEOUT LOGFILE COMMAND...: polls COMMAND once a second, printing progress.
wait_for() {
  local what="$1" timeout="$2" logfile="$3"; shift 3
  local start=$SECONDS
  until "$@"; do
    if (( SECONDS - start >= timeout )); then
      log "timed out after ${timeout}s waiting for $what; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      die "$what did not become ready within ${timeout}s (see $logfile)"
    fi
    if (( (SECONDS - start) % 5 == 4 )); then log "waiting for $what ($((SECONDS - start))s)"; fi
    sleep 1
  done
}
